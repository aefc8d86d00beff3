import {
  cookingStarted,
  orderAccepted,
  orderReadyForPickup,
  orderReceived,
} from '@baedal/contracts';
import { type Actor, type Coordinates, InvalidTransitionError } from '@baedal/domain';
import type { EventEnvelope } from '@baedal/event-bus';

export type TicketStatus = 'PENDING' | 'ACCEPTED' | 'COOKING' | 'READY' | 'REJECTED' | 'CANCELED';

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
  readonly closedAt: Date | null;
}

/** Which statuses each action may start from. */
const allowedFrom = {
  accept: ['PENDING'],
  'start cooking': ['ACCEPTED'],
  'finish cooking': ['COOKING'],
} as const satisfies Record<string, readonly TicketStatus[]>;
type Action = keyof typeof allowedFrom;

/**
 * An order as its store's kitchen works on it: PENDING → ACCEPTED → COOKING → READY.
 * Intent methods refuse a transition the current status does not allow and record the
 * event each transition causes.
 */
export class KitchenTicket {
  #state: KitchenTicketState;
  readonly #events: EventEnvelope[] = [];

  constructor(state: KitchenTicketState) {
    this.#state = state;
  }

  /** A new ticket for a paid order, waiting for the store; `by` placed the order. */
  static receive(
    order: Omit<
      KitchenTicketState,
      'status' | 'version' | 'acceptedAt' | 'cookingStartedAt' | 'readyAt' | 'closedAt'
    >,
    by: Actor,
  ): KitchenTicket {
    const ticket = new KitchenTicket({
      ...order,
      status: 'PENDING',
      version: 0,
      acceptedAt: null,
      cookingStartedAt: null,
      readyAt: null,
      closedAt: null,
    });
    ticket.#record(
      orderReceived.create(ticket.#change(), { actor: by, occurredAt: order.placedAt }),
    );
    return ticket;
  }

  get state(): KitchenTicketState {
    return this.#state;
  }

  accept(by: Actor, at: Date): void {
    this.#transition('accept', { status: 'ACCEPTED', acceptedAt: at });
    this.#record(orderAccepted.create(this.#change(), { actor: by, occurredAt: at }));
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

  /** The events recorded since the last call, for the outbox. */
  pullEvents(): EventEnvelope[] {
    return this.#events.splice(0);
  }

  #transition(action: Action, change: Partial<KitchenTicketState>): void {
    if (!(allowedFrom[action] as readonly TicketStatus[]).includes(this.#state.status)) {
      throw new InvalidTransitionError('kitchen ticket', action, this.#state.status);
    }
    this.#state = { ...this.#state, ...change };
  }

  #change() {
    return { orderId: this.#state.orderId, storeId: this.#state.store.id };
  }

  #record(event: EventEnvelope): void {
    this.#events.push(event);
  }
}
