import { randomUUID } from 'node:crypto';
import {
  type ChargeAnswer,
  type ChargeRequest,
  paymentCaptured,
  paymentRefunded,
} from '@baedal/contracts';
import { type Actor, ConflictError, InvalidTransitionError } from '@baedal/domain';
import type { EventEnvelope } from '@baedal/event-bus';
import { type CardChargeAnswer, type CardRefundRequest, cardLast4Of } from './card-provider.js';

export type PaymentStatus =
  | 'PENDING'
  | 'CAPTURED'
  | 'DECLINED'
  | 'REFUNDING'
  | 'REFUNDED'
  | 'CANCELED';

export type ChargeAttemptStatus = 'PENDING' | 'APPROVED' | 'DECLINED';

/** One request to the card provider to charge the order, recorded before it is sent. */
export interface ChargeAttemptState {
  /** The order subgraph's attempt key, and the provider's idempotency key. */
  readonly key: string;
  readonly cardToken: string;
  readonly cardLast4: string;
  readonly amountWon: number;
  /** `PENDING` until the provider's answer is recorded. */
  readonly status: ChargeAttemptStatus;
  readonly declineReason: string | null;
  readonly startedAt: Date;
  readonly settledAt: Date | null;
}

export interface PaymentState {
  readonly id: string;
  readonly orderId: string;
  readonly customerId: string;
  /** The order's total, fees included. */
  readonly amountWon: number;
  readonly deliveryFeeWon: number;
  readonly expressFeeWon: number;
  readonly status: PaymentStatus;
  /** The card of the latest attempt; null only for an order canceled before any charge. */
  readonly cardLast4: string | null;
  readonly declineReason: string | null;
  readonly pointsEarned: number;
  /** When the order ended without delivery: nothing more is charged, and money taken goes back. */
  readonly orderClosedAt: Date | null;
  /** The version the payment was loaded with; 0 for a new one (see the repository). */
  readonly version: number;
  readonly createdAt: Date;
  readonly capturedAt: Date | null;
  readonly refundedAt: Date | null;
  /** Oldest first. */
  readonly attempts: readonly ChargeAttemptState[];
}

/** A line of the customer's points ledger. */
export interface PointsEntryState {
  readonly id: string;
  readonly customerId: string;
  readonly orderId: string;
  readonly paymentId: string;
  readonly kind: 'EARNED' | 'REVERSED';
  /** Positive when earned, negative when taken back. */
  readonly points: number;
  readonly createdAt: Date;
}

/** What a charge request needs next (see `Payment.charge`). */
export type ChargeStep =
  /** The request is answered from what is recorded; nothing changed. */
  | { readonly kind: 'answer'; readonly answer: ChargeAnswer }
  /** An earlier attempt's outcome is unknown: ask the provider about it first. Nothing changed. */
  | {
      readonly kind: 'settle-first';
      readonly paymentId: string;
      readonly attempt: ChargeAttemptState;
    }
  /** A new attempt was recorded: save it, then ask the provider to charge it. */
  | { readonly kind: 'charge'; readonly paymentId: string; readonly attempt: ChargeAttemptState };

/**
 * The points a captured amount earns: `pointsEarnPercent` percent of it, rounded down.
 * Integer arithmetic, so that no amount loses a point to floating point.
 */
export const pointsFor = (amountWon: number, pointsEarnPercent: number): number =>
  Math.floor((amountWon * pointsEarnPercent) / 100);

/**
 * The one payment of an order and its charge attempts.
 *
 * A charge is recorded as a PENDING attempt before the card provider is asked, and settled
 * when the provider answers: approved captures the payment (announced by `payment.captured`,
 * earning points), declined leaves it DECLINED, ready for another attempt with another card.
 * While an attempt is unknown the payment is PENDING, and no other attempt starts beside it.
 *
 * When the order ends without delivery (`closeOrder`), nothing more is charged: a captured
 * payment goes REFUNDING, then REFUNDED once the provider gave the money back (announced by
 * `payment.refunded`, taking the points back); a declined one is CANCELED; a pending one
 * stays PENDING until its attempt settles, then goes one of those two ways.
 */
export class Payment {
  #state: PaymentState;
  readonly #events: EventEnvelope[] = [];
  readonly #pointsEntries: PointsEntryState[] = [];
  readonly #addedAttempts: string[] = [];
  readonly #settledAttempts: string[] = [];

  constructor(state: PaymentState) {
    this.#state = state;
  }

  /**
   * The payment of an order that has none yet; it is saved with its first attempt
   * (`charge`).
   */
  static open(request: ChargeRequest, at: Date): Payment {
    return new Payment({
      id: randomUUID(),
      orderId: request.orderId,
      customerId: request.customerId,
      amountWon: request.amountWon,
      deliveryFeeWon: request.deliveryFeeWon,
      expressFeeWon: request.expressFeeWon,
      status: 'PENDING',
      cardLast4: null,
      declineReason: null,
      pointsEarned: 0,
      orderClosedAt: null,
      version: 0,
      createdAt: at,
      capturedAt: null,
      refundedAt: null,
      attempts: [],
    });
  }

  /**
   * The payment of an order that ended before any charge: CANCELED, so that a charge
   * arriving late is refused. Its amount is unknown here, hence 0.
   */
  static closedBeforeCharge(order: { orderId: string; customerId: string }, at: Date): Payment {
    return new Payment({
      id: randomUUID(),
      orderId: order.orderId,
      customerId: order.customerId,
      amountWon: 0,
      deliveryFeeWon: 0,
      expressFeeWon: 0,
      status: 'CANCELED',
      cardLast4: null,
      declineReason: null,
      pointsEarned: 0,
      orderClosedAt: at,
      version: 0,
      createdAt: at,
      capturedAt: null,
      refundedAt: null,
      attempts: [],
    });
  }

  get state(): PaymentState {
    return this.#state;
  }

  /**
   * Decides what a request to charge the order needs, in this order:
   *
   * - the order is closed: refused, `INVALID_TRANSITION` with the payment's status;
   * - another customer or amount than the payment's: refused, `CONFLICT`;
   * - captured: answered `CAPTURED`;
   * - the request's attempt key names a settled attempt: answered that attempt's outcome
   *   again (a repeated request never charges twice);
   * - an attempt is still unknown: that one must be settled first (`settle-first`), so that
   *   a second charge never starts beside a first that may have gone through;
   * - otherwise a new PENDING attempt is recorded with the request's card (`charge`).
   */
  charge(request: ChargeRequest, at: Date): ChargeStep {
    const state = this.#state;
    if (state.orderClosedAt) throw new InvalidTransitionError('payment', 'charge', state.status);
    if (
      request.customerId !== state.customerId ||
      request.amountWon !== state.amountWon ||
      request.deliveryFeeWon !== state.deliveryFeeWon ||
      request.expressFeeWon !== state.expressFeeWon
    ) {
      throw new ConflictError('This order was already charged for another customer or amount.', {
        orderId: state.orderId,
      });
    }
    if (state.status === 'CAPTURED') return { kind: 'answer', answer: this.#answer('CAPTURED') };
    const named = state.attempts.find((attempt) => attempt.key === request.attemptKey);
    if (named && named.status !== 'PENDING') {
      return {
        kind: 'answer',
        answer:
          named.status === 'DECLINED'
            ? this.#answer('DECLINED', named.declineReason)
            : this.#answer('CAPTURED'),
      };
    }
    const pending = state.attempts.find((attempt) => attempt.status === 'PENDING');
    if (pending) return { kind: 'settle-first', paymentId: state.id, attempt: pending };

    const attempt: ChargeAttemptState = {
      key: request.attemptKey,
      cardToken: request.cardToken,
      cardLast4: cardLast4Of(request.cardToken),
      amountWon: state.amountWon,
      status: 'PENDING',
      declineReason: null,
      startedAt: at,
      settledAt: null,
    };
    this.#state = {
      ...state,
      status: 'PENDING',
      cardLast4: attempt.cardLast4,
      declineReason: null,
      attempts: [...state.attempts, attempt],
    };
    this.#addedAttempts.push(attempt.key);
    return { kind: 'charge', paymentId: state.id, attempt };
  }

  /**
   * Records the provider's answer about the attempt `key`. Approved: the payment is captured
   * (`payment.captured`, points earned), and if the order was closed meanwhile it goes
   * REFUNDING at once. Declined: DECLINED with the reason, or CANCELED if the order was
   * closed. An attempt settled already (by a concurrent request or the settle job: the
   * provider answers a key the same way every time) is left as it is: answers false, nothing
   * changed.
   */
  settle(
    key: string,
    answer: CardChargeAnswer,
    policy: { readonly pointsEarnPercent: number },
    by: Actor,
    at: Date,
  ): boolean {
    const attempt = this.#state.attempts.find((candidate) => candidate.key === key);
    if (!attempt) throw new Error(`Payment ${this.#state.id} has no attempt ${key}.`);
    if (attempt.status !== 'PENDING') return false;
    // Only a PENDING payment has a PENDING attempt (see `charge`).
    if (this.#state.status !== 'PENDING') {
      throw new InvalidTransitionError('payment', 'settle a charge of', this.#state.status);
    }

    const settled: ChargeAttemptState = answer.approved
      ? { ...attempt, status: 'APPROVED', settledAt: at }
      : { ...attempt, status: 'DECLINED', declineReason: answer.reason, settledAt: at };
    this.#state = {
      ...this.#state,
      cardLast4: settled.cardLast4,
      attempts: this.#state.attempts.map((candidate) =>
        candidate.key === key ? settled : candidate,
      ),
    };
    this.#settledAttempts.push(key);
    if (answer.approved) this.#capture(policy.pointsEarnPercent, by, at);
    else {
      this.#state = {
        ...this.#state,
        status: this.#state.orderClosedAt ? 'CANCELED' : 'DECLINED',
        declineReason: answer.reason,
      };
    }
    return true;
  }

  /**
   * The order ended without delivery: nothing more is charged, and money taken goes back.
   * CAPTURED becomes REFUNDING, DECLINED becomes CANCELED, PENDING stays PENDING until its
   * attempt settles. Answers false, changing nothing, if the order was closed already.
   */
  closeOrder(at: Date): boolean {
    const { status, orderClosedAt } = this.#state;
    if (orderClosedAt) return false;
    const next: Partial<Record<PaymentStatus, PaymentStatus>> = {
      PENDING: 'PENDING',
      CAPTURED: 'REFUNDING',
      DECLINED: 'CANCELED',
    };
    const closed = next[status];
    if (!closed) throw new InvalidTransitionError('payment', 'close', status);
    this.#state = { ...this.#state, status: closed, orderClosedAt: at };
    return true;
  }

  /** What the provider is asked to give back, for a REFUNDING payment. */
  refundRequest(): CardRefundRequest {
    const { id, status, amountWon, attempts } = this.#state;
    const charge = attempts.find((attempt) => attempt.status === 'APPROVED');
    if (status !== 'REFUNDING' || !charge) {
      throw new InvalidTransitionError('payment', 'refund', status);
    }
    return { idempotencyKey: `refund:${id}`, chargeKey: charge.key, amountWon };
  }

  /**
   * The provider gave the money back: REFUNDED, the points earned taken back, announced by
   * `payment.refunded`. Refuses (`INVALID_TRANSITION`) a payment that is not REFUNDING.
   */
  completeRefund(by: Actor, at: Date): void {
    const state = this.#state;
    if (state.status !== 'REFUNDING') {
      throw new InvalidTransitionError('payment', 'complete the refund of', state.status);
    }
    this.#state = { ...state, status: 'REFUNDED', refundedAt: at };
    if (state.pointsEarned > 0) this.#recordPoints('REVERSED', -state.pointsEarned, at);
    this.#events.push(
      paymentRefunded.create(
        {
          paymentId: state.id,
          orderId: state.orderId,
          customerId: state.customerId,
          amountWon: state.amountWon,
          pointsReversed: state.pointsEarned,
        },
        { actor: by, occurredAt: at },
      ),
    );
  }

  /** The events recorded since the last call, for the outbox. */
  pullEvents(): EventEnvelope[] {
    return this.#events.splice(0);
  }

  /** The points ledger lines recorded since the last call. */
  pullPointsEntries(): PointsEntryState[] {
    return this.#pointsEntries.splice(0);
  }

  /** The attempts added and settled since the last call, as they are now. */
  pullAttemptChanges(): { added: ChargeAttemptState[]; settled: ChargeAttemptState[] } {
    const now = (key: string) => this.#state.attempts.find((attempt) => attempt.key === key)!;
    const added = this.#addedAttempts.splice(0);
    const settled = this.#settledAttempts.splice(0).filter((key) => !added.includes(key));
    return { added: added.map(now), settled: settled.map(now) };
  }

  #capture(pointsEarnPercent: number, by: Actor, at: Date): void {
    const pointsEarned = pointsFor(this.#state.amountWon, pointsEarnPercent);
    this.#state = {
      ...this.#state,
      // The order was closed while the charge was under way: the money goes back at once.
      status: this.#state.orderClosedAt ? 'REFUNDING' : 'CAPTURED',
      declineReason: null,
      pointsEarned,
      capturedAt: at,
    };
    const { id, orderId, customerId, amountWon } = this.#state;
    this.#events.push(
      paymentCaptured.create(
        { paymentId: id, orderId, customerId, amountWon },
        { actor: by, occurredAt: at },
      ),
    );
    if (pointsEarned > 0) this.#recordPoints('EARNED', pointsEarned, at);
  }

  #recordPoints(kind: PointsEntryState['kind'], points: number, at: Date): void {
    const { id, orderId, customerId } = this.#state;
    this.#pointsEntries.push({
      id: randomUUID(),
      customerId,
      orderId,
      paymentId: id,
      kind,
      points,
      createdAt: at,
    });
  }

  #answer(status: ChargeAnswer['status'], declineReason: string | null = null): ChargeAnswer {
    return { paymentId: this.#state.id, status, declineReason };
  }
}
