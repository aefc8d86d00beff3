import { randomUUID } from 'node:crypto';
import { deliveryOffered, orderPickedUp, riderAssigned } from '@baedal/contracts';
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
  /** What the rider earns: the delivery fee plus, for express, the surcharge. */
  readonly feeWon: number;
  readonly riderId: string | null;
  /** The version the delivery had when it was loaded; 0 for a new delivery. */
  readonly version: number;
  readonly offeredAt: Date;
  readonly assignedAt: Date | null;
  readonly pickedUpAt: Date | null;
  readonly closedAt: Date | null;
}

/**
 * An order's trip from its store to its customer: AVAILABLE → ASSIGNED → PICKED_UP →
 * DELIVERED. Intent methods refuse what the status or the person does not allow (changing
 * nothing) and record the event each transition causes.
 */
export class Delivery {
  #state: DeliveryState;
  readonly #events: EventEnvelope[] = [];

  constructor(state: DeliveryState) {
    this.#state = state;
  }

  /**
   * A new delivery waiting for a rider near the store. `causationId` is the id of the
   * kitchen's event, so the offer can be traced back to it.
   */
  static offer(order: ReadyOrder, at: Date, causationId: string | null = null): Delivery {
    const delivery = new Delivery({
      id: randomUUID(),
      orderId: order.orderId,
      storeId: order.storeId,
      storeOwnerId: order.storeOwnerId,
      customerId: order.customerId,
      status: 'AVAILABLE',
      express: order.express,
      pickup: order.pickup,
      dropoff: order.dropoff,
      feeWon: order.deliveryFeeWon + order.expressFeeWon,
      riderId: null,
      version: 0,
      offeredAt: at,
      assignedAt: null,
      pickedUpAt: null,
      closedAt: null,
    });
    const { id, orderId, storeId, pickup, express, feeWon } = delivery.state;
    delivery.#record(
      deliveryOffered.create(
        { deliveryId: id, orderId, storeId, pickup: pickup.location, express, feeWon },
        { actor: systemActor, occurredAt: at, causationId },
      ),
    );
    return delivery;
  }

  get state(): DeliveryState {
    return this.#state;
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
    if (this.#state.riderId !== rider.id) {
      throw new ForbiddenError('Only the rider who claimed this delivery may pick it up.');
    }
    if (this.#state.status !== 'ASSIGNED') {
      throw new InvalidTransitionError('delivery', 'pick up', this.#state.status);
    }
    this.#state = { ...this.#state, status: 'PICKED_UP', pickedUpAt: at };
    this.#record(orderPickedUp.create(this.#riderStep(rider), { actor: rider, occurredAt: at }));
  }

  /**
   * The customer confirmed receipt. The order subgraph announces that, so there is nothing
   * to announce here.
   */
  complete(at: Date): void {
    if (this.#state.status !== 'PICKED_UP') {
      throw new InvalidTransitionError('delivery', 'complete', this.#state.status);
    }
    this.#state = { ...this.#state, status: 'DELIVERED', closedAt: at };
  }

  /** The events recorded since the last call, for the outbox. */
  pullEvents(): EventEnvelope[] {
    return this.#events.splice(0);
  }

  #riderStep(rider: Person) {
    return { deliveryId: this.#state.id, orderId: this.#state.orderId, riderId: rider.id };
  }

  #record(event: EventEnvelope): void {
    this.#events.push(event);
  }
}
