import { randomUUID } from 'node:crypto';
import { paymentCaptured } from '@baedal/contracts';
import { type Actor, ConflictError, InvalidTransitionError } from '@baedal/domain';
import type { EventEnvelope } from '@baedal/event-bus';
import type { CardCharge } from './card.gateway.js';

export type PaymentStatus = 'CAPTURED' | 'DECLINED' | 'REFUNDED';

/** What the order subgraph asks to be paid for one order. */
export interface ChargeRequest {
  readonly orderId: string;
  readonly customerId: string;
  readonly amountWon: number;
}

export interface PaymentState {
  readonly id: string;
  readonly orderId: string;
  readonly customerId: string;
  readonly amountWon: number;
  readonly status: PaymentStatus;
  readonly cardLast4: string;
  readonly declineReason: string | null;
  /** Charges tried for this order, declined ones included; 1 for a new payment. */
  readonly attempts: number;
  readonly createdAt: Date;
  readonly capturedAt: Date | null;
  readonly refundedAt: Date | null;
}

/**
 * The one payment of an order. A charge is either captured or declined; a declined payment
 * may be charged again (with another card), a captured one never: the order id is the
 * idempotency key, so repeating a charge answers the captured payment instead. Capturing
 * records `paymentCaptured`; a decline records nothing, since nobody acts on it.
 */
export class Payment {
  #state: PaymentState;
  readonly #events: EventEnvelope[] = [];

  constructor(state: PaymentState) {
    this.#state = state;
  }

  /** A new payment of an order: the card's answer to the first charge. */
  static charge(request: ChargeRequest, card: CardCharge, by: Actor, at: Date): Payment {
    const payment = new Payment({
      id: randomUUID(),
      orderId: request.orderId,
      customerId: request.customerId,
      amountWon: request.amountWon,
      status: 'DECLINED',
      cardLast4: card.cardLast4,
      declineReason: null,
      attempts: 1,
      createdAt: at,
      capturedAt: null,
      refundedAt: null,
    });
    payment.#settle(card, by, at);
    return payment;
  }

  get state(): PaymentState {
    return this.#state;
  }

  /**
   * Checks a repeated request to charge this order before any card is charged: it must be
   * for the same customer and amount (`CONFLICT` otherwise: the order id would be reused
   * for another charge), and the payment must not be refunded (`INVALID_TRANSITION`).
   * The caller then answers a captured payment as it is, or charges a declined one again.
   */
  checkRepeat(request: ChargeRequest): void {
    const { customerId, amountWon, status } = this.#state;
    if (request.customerId !== customerId || request.amountWon !== amountWon) {
      throw new ConflictError('This order was already charged for another customer or amount.', {
        orderId: this.#state.orderId,
      });
    }
    if (status === 'REFUNDED') throw new InvalidTransitionError('payment', 'charge', status);
  }

  /**
   * Another charge of a declined payment, with the card given this time: the answer replaces
   * the previous one and counts as one more attempt. Refuses (`INVALID_TRANSITION`) a payment
   * that is not declined.
   */
  chargeAgain(card: CardCharge, by: Actor, at: Date): void {
    if (this.#state.status !== 'DECLINED') {
      throw new InvalidTransitionError('payment', 'charge again', this.#state.status);
    }
    this.#state = {
      ...this.#state,
      cardLast4: card.cardLast4,
      attempts: this.#state.attempts + 1,
    };
    this.#settle(card, by, at);
  }

  /** The events recorded since the last call, for the outbox. */
  pullEvents(): EventEnvelope[] {
    return this.#events.splice(0);
  }

  #settle(card: CardCharge, by: Actor, at: Date): void {
    if (!card.approved) {
      this.#state = { ...this.#state, status: 'DECLINED', declineReason: card.reason };
      return;
    }
    this.#state = { ...this.#state, status: 'CAPTURED', declineReason: null, capturedAt: at };
    const { id, orderId, customerId, amountWon } = this.#state;
    this.#events.push(
      paymentCaptured.create(
        { paymentId: id, orderId, customerId, amountWon },
        { actor: by, occurredAt: at },
      ),
    );
  }
}
