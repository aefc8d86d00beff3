import type { Actor } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import { type Logger, transact } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import { type CardChargeAnswer, type CardProvider, providerCallSignal } from './card-provider.js';
import type { ChargeAttemptState, PaymentState } from './payment.aggregate.js';
import type { PaymentRepository } from './payment.repository.js';

/** Carries out refunds (see `RefundPaymentsJob`). */
export interface RefundScheduler {
  /**
   * Asks for the refund of a payment that is REFUNDING, or will be once the transaction
   * under way commits. Returns at once; the refund follows within moments.
   */
  refundSoon(paymentId: string): void;
}

export interface SettleOptions {
  /** How long the provider may take to answer (`CARD_PROVIDER_TIMEOUT_MS`). */
  readonly timeoutMs: number;
  /** `POINTS_EARN_PERCENT`. */
  readonly pointsEarnPercent: number;
}

/**
 * Finds out what became of a charge attempt and records it: asks the card provider to charge
 * the attempt under its key (the first time the provider charges; afterwards it answers what
 * it answered then), outside any transaction, then records the answer on the order's payment
 * (see `Payment.settle`). Used for a new attempt, for an earlier attempt whose answer was
 * lost, and by the settle job. Running it several times at once for one attempt is safe: the
 * provider charges once, and the first to record the answer wins.
 */
export class SettleChargeAttempt {
  constructor(
    private readonly outbox: Outbox<Tx>,
    private readonly payments: PaymentRepository,
    private readonly cards: CardProvider,
    private readonly refunds: RefundScheduler,
    private readonly options: SettleOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Resolves with the payment as recorded, or with null when the provider's answer is still
   * unknown (unreachable, failed, or not in time): the attempt then stays PENDING. `signal`
   * gives up sooner (at shutdown).
   */
  async execute(
    orderId: string,
    attempt: ChargeAttemptState,
    by: Actor,
    signal?: AbortSignal,
  ): Promise<PaymentState | null> {
    let answer: CardChargeAnswer;
    try {
      answer = await this.cards.charge(
        { idempotencyKey: attempt.key, amountWon: attempt.amountWon, cardToken: attempt.cardToken },
        providerCallSignal(this.options.timeoutMs, signal),
      );
    } catch (error) {
      this.logger.warn(
        { err: error, orderId, attemptKey: attempt.key },
        'the card provider gave no answer about a charge; it stays pending',
      );
      return null;
    }

    const payment = await transact(this.outbox, async (tx) => {
      const payment = await this.payments.findByOrder(tx, orderId);
      if (!payment) throw new Error(`The payment of order ${orderId} vanished.`);
      if (payment.settle(attempt.key, answer, this.options, by, new Date())) {
        await this.payments.save(tx, payment);
      }
      return payment.state;
    });
    if (payment.status === 'REFUNDING') this.refunds.refundSoon(payment.id);
    return payment;
  }
}
