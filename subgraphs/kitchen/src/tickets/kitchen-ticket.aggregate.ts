import {
  cookingStarted,
  orderAccepted,
  orderReadyForPickup,
  orderReceived,
  orderRejected,
  ticketCanceled,
} from '@baedal/contracts';
import { type Actor, type Coordinates, InvalidTransitionError } from '@baedal/domain';
import type { EventEnvelope } from '@baedal/event-bus';

export type TicketStatus =
  | 'PENDING'
  | 'ACCEPTED'
  | 'COOKING'
  | 'READY'
  | 'DELIVERED'
  | 'REJECTED'
  | 'CANCELED';

export type TicketItem = {
  readonly menuItemId: string;
  readonly name: string;
  readonly quantity: number;
};

export interface TicketStore {
  readonly id: string;
  readonly ownerId: string;
  readonly name: string;
  readonly address: string;
  readonly location: Coordinates;
}

export interface KitchenTicketState {
  readonly orderId: string;
  readonly store: TicketStore;
  readonly customerId: string;
  readonly status: TicketStatus;
  readonly items: readonly TicketItem[];
  readonly express: boolean;
  readonly dropoff: { readonly address: string; readonly location: Coordinates };
  readonly deliveryFeeWon: number;
  readonly expressFeeWon: number;
  /** The version the ticket had when it was loaded; 0 for a new ticket. */
  readonly version: number;
  readonly placedAt: Date;
  readonly acceptedAt: Date | null;
  readonly cookingStartedAt: Date | null;
  readonly readyAt: Date | null;
  /** When the ticket ended: delivered, rejected or canceled. */
  readonly closedAt: Date | null;
  /** Why the ticket was rejected or canceled. */
  readonly reason: string | null;
}

/** What a paid order brings to the kitchen: everything but the ticket's own progress. */
export type ReceivedOrder = Omit<
  KitchenTicketState,
  'status' | 'version' | 'acceptedAt' | 'cookingStartedAt' | 'readyAt' | 'closedAt' | 'reason'
>;

/** A cancel decided before the kitchen had the order (see `KitchenTicket.receiveCanceled`). */
export interface Cancellation {
  readonly reason: string | null;
  readonly by: Actor;
  readonly at: Date;
}

export const defaultRejectionReason = 'Rejected by the store.';

/** Statuses in which the kitchen still has something to do with the order. */
const openStatuses: readonly TicketStatus[] = ['PENDING', 'ACCEPTED', 'COOKING', 'READY'];

/** Which statuses each action may start from. */
const allowedFrom = {
  accept: ['PENDING'],
  reject: ['PENDING'],
  cancel: ['PENDING', 'ACCEPTED'],
  'start cooking': ['ACCEPTED'],
  'finish cooking': ['COOKING'],
  'mark delivered': ['READY'],
  review: ['DELIVERED'],
} as const satisfies Record<string, readonly TicketStatus[]>;
type Action = keyof typeof allowedFrom;

/**
 * An order as its store's kitchen works on it: PENDING → ACCEPTED → COOKING → READY →
 * DELIVERED, or out to REJECTED (by the store, while PENDING) or CANCELED (by the customer
 * before cooking, or because the order was canceled later). Intent methods refuse a
 * transition the current status does not allow (`INVALID_TRANSITION` with the current
 * status, nothing changed) and record the event each transition causes.
 */
export class KitchenTicket {
  #state: KitchenTicketState;
  readonly #events: EventEnvelope[] = [];

  constructor(state: KitchenTicketState) {
    this.#state = state;
  }

  /** A new ticket for a paid order, waiting for the store; `by` placed the order. */
  static receive(order: ReceivedOrder, by: Actor): KitchenTicket {
    const ticket = KitchenTicket.#create(order, {
      status: 'PENDING',
      closedAt: null,
      reason: null,
    });
    ticket.#record(
      orderReceived.create(ticket.#change(), { actor: by, occurredAt: order.placedAt }),
    );
    return ticket;
  }

  /**
   * The ticket of an order whose cancel reached the kitchen before the order did: it is born
   * CANCELED, so a late order never revives. The store never saw it, so nothing announces it
   * as received; the cancel is announced now, as made by whoever made it, when it was made.
   */
  static receiveCanceled(order: ReceivedOrder, cancellation: Cancellation): KitchenTicket {
    const ticket = KitchenTicket.#create(order, {
      status: 'CANCELED',
      closedAt: cancellation.at,
      reason: cancellation.reason,
    });
    ticket.#record(
      ticketCanceled.create(
        { ...ticket.#change(), reason: cancellation.reason },
        { actor: cancellation.by, occurredAt: cancellation.at },
      ),
    );
    return ticket;
  }

  static #create(
    order: ReceivedOrder,
    outcome: Pick<KitchenTicketState, 'status' | 'closedAt' | 'reason'>,
  ): KitchenTicket {
    return new KitchenTicket({
      ...order,
      ...outcome,
      version: 0,
      acceptedAt: null,
      cookingStartedAt: null,
      readyAt: null,
    });
  }

  get state(): KitchenTicketState {
    return this.#state;
  }

  /** Whether the kitchen still has something to do with the order. */
  get isOpen(): boolean {
    return openStatuses.includes(this.#state.status);
  }

  accept(by: Actor, at: Date): void {
    this.#transition('accept', { status: 'ACCEPTED', acceptedAt: at });
    this.#record(orderAccepted.create(this.#change(), { actor: by, occurredAt: at }));
  }

  /** The store turns down an order it has not accepted; its customer is refunded. */
  reject(reason: string, by: Actor, at: Date): void {
    this.#transition('reject', { status: 'REJECTED', closedAt: at, reason });
    this.#record(
      orderRejected.create({ ...this.#change(), reason }, { actor: by, occurredAt: at }),
    );
  }

  /**
   * The customer cancels before cooking started. Asking again once it is canceled changes
   * nothing and is no error (the first answer may have been lost); once cooking started, or
   * the store rejected the order, the cancel is refused.
   */
  cancel(reason: string | null, by: Actor, at: Date): void {
    if (this.#state.status === 'CANCELED') return;
    this.#transition('cancel', { status: 'CANCELED', closedAt: at, reason });
    this.#record(
      ticketCanceled.create({ ...this.#change(), reason }, { actor: by, occurredAt: at }),
    );
  }

  /**
   * The order was canceled elsewhere (an accident on the way, an answer to a cancel that got
   * lost): an open ticket, cooked or not, is closed as CANCELED. A closed ticket stays as it is.
   */
  closeForCanceledOrder(reason: string | null, by: Actor, at: Date): void {
    if (!this.isOpen) return;
    this.#state = { ...this.#state, status: 'CANCELED', closedAt: at, reason };
    this.#record(
      ticketCanceled.create({ ...this.#change(), reason }, { actor: by, occurredAt: at }),
    );
  }

  startCooking(by: Actor, at: Date): void {
    this.#transition('start cooking', { status: 'COOKING', cookingStartedAt: at });
    this.#record(cookingStarted.create(this.#change(), { actor: by, occurredAt: at }));
  }

  finishCooking(by: Actor, at: Date): void {
    this.#transition('finish cooking', { status: 'READY', readyAt: at });
    const { orderId, store, customerId, dropoff, express, deliveryFeeWon, expressFeeWon } =
      this.#state;
    this.#record(
      orderReadyForPickup.create(
        {
          orderId,
          storeId: store.id,
          storeOwnerId: store.ownerId,
          customerId,
          pickup: { name: store.name, address: store.address, location: store.location },
          dropoff,
          express,
          deliveryFeeWon,
          expressFeeWon,
        },
        { actor: by, occurredAt: at },
      ),
    );
  }

  /**
   * The customer confirmed receipt. Nothing announces it (the order subgraph already did);
   * marking a delivered ticket again changes nothing.
   */
  markDelivered(at: Date): void {
    if (this.#state.status === 'DELIVERED') return;
    this.#transition('mark delivered', { status: 'DELIVERED', closedAt: at });
  }

  /** Refuses, with the current status, to review an order that was not delivered. */
  requireReviewable(): void {
    this.#require('review');
  }

  /** The events recorded since the last call, for the outbox. */
  pullEvents(): EventEnvelope[] {
    return this.#events.splice(0);
  }

  #transition(action: Action, change: Partial<KitchenTicketState>): void {
    this.#require(action);
    this.#state = { ...this.#state, ...change };
  }

  #require(action: Action): void {
    if (!(allowedFrom[action] as readonly TicketStatus[]).includes(this.#state.status)) {
      throw new InvalidTransitionError('kitchen ticket', action, this.#state.status);
    }
  }

  #change() {
    return { orderId: this.#state.orderId, storeId: this.#state.store.id };
  }

  #record(event: EventEnvelope): void {
    this.#events.push(event);
  }
}
