import { randomUUID } from 'node:crypto';
import { accidentReported, deliveryOffered, orderPickedUp, riderAssigned } from '@baedal/contracts';
import {
  type Actor,
  ConflictError,
  type Coordinates,
  ForbiddenError,
  InvalidTransitionError,
  systemActor,
} from '@baedal/domain';
import type { EventEnvelope } from '@baedal/event-bus';

export type DeliveryStatus = 'AVAILABLE' | 'ASSIGNED' | 'PICKED_UP' | 'DELIVERED' | 'CANCELED';

/** A signed-in person acting on a delivery (the system never claims or picks up). */
export type Person = Exclude<Actor, { role: 'SYSTEM' }>;

export interface Place {
  readonly address: string;
  readonly location: Coordinates;
}

/** An order whose food is ready, as the kitchen announces it. */
export interface ReadyOrder {
  readonly orderId: string;
  readonly storeId: string;
  readonly storeOwnerId: string;
  readonly customerId: string;
  readonly pickup: Place & { readonly name: string };
  readonly dropoff: Place;
  readonly express: boolean;
  readonly deliveryFeeWon: number;
  readonly expressFeeWon: number;
}

/** An order that ended without being delivered, as the order subgraph announces it. */
export interface OrderCancellation {
  readonly reason: string | null;
  readonly at: Date;
}

export interface DeliveryState {
  readonly id: string;
  readonly orderId: string;
  readonly storeId: string;
  readonly storeOwnerId: string;
  readonly customerId: string;
  readonly status: DeliveryStatus;
  readonly express: boolean;
  readonly pickup: Place & { readonly name: string };
  readonly dropoff: Place;
  /** The order's delivery fee. */
  readonly deliveryFeeWon: number;
  /** The order's express surcharge; 0 for a standard delivery. */
  readonly expressFeeWon: number;
  /** What the rider earns: the delivery fee plus the express surcharge. */
  readonly feeWon: number;
  readonly riderId: string | null;
  /** The version the delivery had when it was loaded; 0 for a new delivery. */
  readonly version: number;
  readonly offeredAt: Date;
  readonly assignedAt: Date | null;
  readonly pickedUpAt: Date | null;
  readonly closedAt: Date | null;
  /** Why a CANCELED delivery was canceled: the rider's accident report or the order's reason. */
  readonly cancelReason: string | null;
}

const openStatuses: readonly DeliveryStatus[] = ['AVAILABLE', 'ASSIGNED', 'PICKED_UP'];

/**
 * An order's trip from its store to its customer: AVAILABLE → ASSIGNED → PICKED_UP →
 * DELIVERED, or CANCELED from any of the first three (the rider's accident, or the order
 * canceled). Intent methods refuse what the status or the person does not allow (changing
 * nothing) and record the event each transition causes.
 */
export class Delivery {
  #state: DeliveryState;
  readonly #events: EventEnvelope[] = [];

  constructor(state: DeliveryState) {
    this.#state = state;
  }

  /**
   * A new delivery waiting for a rider near the store, paying the rider the order's delivery
   * fee and express surcharge. `causationId` is the id of the kitchen's event, so the offer
   * can be traced back to it.
   */
  static offer(order: ReadyOrder, at: Date, causationId: string | null = null): Delivery {
    const delivery = new Delivery(newState(order, at));
    const { id, orderId, storeId, pickup, express, feeWon } = delivery.state;
    delivery.#record(
      deliveryOffered.create(
        { deliveryId: id, orderId, storeId, pickup: pickup.location, express, feeWon },
        { actor: systemActor, occurredAt: at, causationId },
      ),
    );
    return delivery;
  }

  /**
   * The delivery of an order whose food became ready after the order was canceled (the
   * subgraphs' events crossed): it is created canceled, with the order's reason, and offered
   * to nobody.
   */
  static ofCanceledOrder(order: ReadyOrder, cancellation: OrderCancellation, at: Date): Delivery {
    return new Delivery({
      ...newState(order, at),
      status: 'CANCELED',
      closedAt: at,
      cancelReason: cancellation.reason,
    });
  }

  get state(): DeliveryState {
    return this.#state;
  }

  /** Whether the delivery may still change: not yet delivered or canceled. */
  get isOpen(): boolean {
    return openStatuses.includes(this.#state.status);
  }

  /** The rider takes the delivery; only the first rider to claim it gets it. */
  claim(rider: Person, at: Date): void {
    const { status, riderId } = this.#state;
    if (status !== 'AVAILABLE') {
      if (status !== 'CANCELED' && riderId !== rider.id) {
        throw new ConflictError('Another rider claimed this delivery first.', {
          currentStatus: status,
        });
      }
      throw new InvalidTransitionError('delivery', 'claim', status);
    }
    this.#state = { ...this.#state, status: 'ASSIGNED', riderId: rider.id, assignedAt: at };
    this.#record(riderAssigned.create(this.#riderStep(rider), { actor: rider, occurredAt: at }));
  }

  /** The assigned rider has the food. */
  pickUp(rider: Person, at: Date): void {
    this.#requireRider(rider, 'Only the rider who claimed this delivery may pick it up.');
    if (this.#state.status !== 'ASSIGNED') {
      throw new InvalidTransitionError('delivery', 'pick up', this.#state.status);
    }
    this.#state = { ...this.#state, status: 'PICKED_UP', pickedUpAt: at };
    this.#record(orderPickedUp.create(this.#riderStep(rider), { actor: rider, occurredAt: at }));
  }

  /**
   * The rider damaged the food on the way (flow 9): the delivery ends, canceled, with the
   * rider's `description` as its reason; the order subgraph cancels and refunds the order.
   * Only the delivery's rider, and only once they have the food.
   */
  reportAccident(rider: Person, description: string, at: Date): void {
    this.#requireRider(rider, 'Only the rider of this delivery may report an accident with it.');
    if (this.#state.status !== 'PICKED_UP') {
      throw new InvalidTransitionError('delivery', 'report an accident with', this.#state.status);
    }
    this.#state = { ...this.#state, status: 'CANCELED', closedAt: at, cancelReason: description };
    this.#record(
      accidentReported.create(
        { ...this.#riderStep(rider), description },
        { actor: rider, occurredAt: at },
      ),
    );
  }

  /**
   * The customer confirmed receipt. The order subgraph announces that, so there is nothing
   * to announce here. The order's outcome is the order subgraph's to decide: if the customer
   * confirmed receipt before the rider's accident report reached it, the order is delivered,
   * and so is the delivery the report had canceled.
   */
  complete(at: Date): void {
    const { status, pickedUpAt } = this.#state;
    const overtakenAccident = status === 'CANCELED' && pickedUpAt !== null;
    if (status !== 'PICKED_UP' && !overtakenAccident) {
      throw new InvalidTransitionError('delivery', 'complete', status);
    }
    this.#state = { ...this.#state, status: 'DELIVERED', closedAt: at, cancelReason: null };
  }

  /**
   * The order ended without delivery (rejected or canceled): an open delivery is canceled
   * with the order's reason. The order subgraph announced it, so nothing is announced here;
   * riders stop being offered the delivery because it is no longer AVAILABLE.
   */
  cancel(cancellation: OrderCancellation): void {
    if (!this.isOpen) throw new InvalidTransitionError('delivery', 'cancel', this.#state.status);
    this.#state = {
      ...this.#state,
      status: 'CANCELED',
      closedAt: cancellation.at,
      cancelReason: cancellation.reason,
    };
  }

  /** The events recorded since the last call, for the outbox. */
  pullEvents(): EventEnvelope[] {
    return this.#events.splice(0);
  }

  #requireRider(rider: Person, message: string): void {
    if (this.#state.riderId !== rider.id) throw new ForbiddenError(message);
  }

  #riderStep(rider: Person) {
    return { deliveryId: this.#state.id, orderId: this.#state.orderId, riderId: rider.id };
  }

  #record(event: EventEnvelope): void {
    this.#events.push(event);
  }
}

/** A delivery for `order` as it is first stored: available, not yet saved (version 0). */
function newState(order: ReadyOrder, at: Date): DeliveryState {
  return {
    id: randomUUID(),
    orderId: order.orderId,
    storeId: order.storeId,
    storeOwnerId: order.storeOwnerId,
    customerId: order.customerId,
    status: 'AVAILABLE',
    express: order.express,
    pickup: order.pickup,
    dropoff: order.dropoff,
    deliveryFeeWon: order.deliveryFeeWon,
    expressFeeWon: order.expressFeeWon,
    feeWon: order.deliveryFeeWon + order.expressFeeWon,
    riderId: null,
    version: 0,
    offeredAt: at,
    assignedAt: null,
    pickedUpAt: null,
    closedAt: null,
    cancelReason: null,
  };
}
