import { type BackgroundJob, type Logger, PeriodicJob } from '@baedal/service-kit';
import type { Db } from '../db.js';
import type { PaymentRepository } from './payment.repository.js';
import type { RefundPayment } from './refund-payment.command.js';
import type { RefundScheduler } from './settle-charge-attempt.command.js';

/** Refunds handled in one round; the rest wait for the next one. */
const batchSize = 100;

/**
 * Carries out the refunds of REFUNDING payments (`RefundPayment`): right after a payment
 * becomes REFUNDING (`refundSoon`), so that a customer gets the money back within moments,
 * and in a sweep at start and every `intervalMs` for refunds left by a crash or a provider
 * that did not answer.
 */
export class RefundPaymentsJob implements BackgroundJob, RefundScheduler {
  readonly #job: PeriodicJob;
  readonly #asked = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly payments: PaymentRepository,
    private readonly refund: RefundPayment,
    intervalMs: number,
    private readonly logger: Logger,
  ) {
    this.#job = new PeriodicJob({
      name: 'refund-payments',
      intervalMs,
      logger,
      round: (signal) => this.#round(signal),
    });
  }

  start(): void {
    this.#job.start();
  }

  refundSoon(paymentId: string): void {
    this.#asked.add(paymentId);
    this.#job.wake();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.#job[Symbol.asyncDispose]();
  }

  async #round(signal: AbortSignal): Promise<void> {
    const asked = [...this.#asked];
    this.#asked.clear();
    // An event handler asks from inside the transaction that makes the payment REFUNDING;
    // once that transaction has ended, the sweep below sees the payment.
    for (const paymentId of asked) await this.payments.waitForWriters(this.db, paymentId);

    for (const paymentId of await this.payments.refunding(this.db, batchSize)) {
      if (signal.aborted) return;
      try {
        await this.refund.execute(paymentId, signal);
      } catch (error) {
        this.logger.warn({ err: error, paymentId }, 'refund failed; it will be tried again');
      }
    }
  }
}
