import { systemActor } from '@baedal/domain';
import { type BackgroundJob, type Logger, PeriodicJob } from '@baedal/service-kit';
import type { Db } from '../db.js';
import type { PaymentRepository } from './payment.repository.js';
import type { SettleChargeAttempt } from './settle-charge-attempt.command.js';

/** Attempts asked about in one round, oldest first; the rest wait for the next one. */
const batchSize = 100;

/**
 * Settles charges whose outcome stayed unknown: the provider's answer came too late or never,
 * or the service stopped while waiting for it. At start and every `intervalMs`, asks the
 * provider again, under the same key, about each PENDING attempt older than `settleAfterMs`,
 * and records the answer (`SettleChargeAttempt`): a capture found so is announced by
 * `payment.captured`; one of an order closed meanwhile is refunded.
 */
export class SettleChargesJob implements BackgroundJob {
  readonly #job: PeriodicJob;

  constructor(
    private readonly db: Db,
    private readonly payments: PaymentRepository,
    private readonly settle: SettleChargeAttempt,
    private readonly options: { readonly intervalMs: number; readonly settleAfterMs: number },
    private readonly logger: Logger,
  ) {
    this.#job = new PeriodicJob({
      name: 'settle-charges',
      intervalMs: options.intervalMs,
      logger,
      round: (signal) => this.#round(signal),
    });
  }

  start(): void {
    this.#job.start();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.#job[Symbol.asyncDispose]();
  }

  async #round(signal: AbortSignal): Promise<void> {
    const startedBefore = new Date(Date.now() - this.options.settleAfterMs);
    for (const { orderId, attempt } of await this.payments.pendingAttempts(
      this.db,
      startedBefore,
      batchSize,
    )) {
      if (signal.aborted) return;
      try {
        await this.settle.execute(orderId, attempt, systemActor, signal);
      } catch (error) {
        this.logger.warn(
          { err: error, orderId, attemptKey: attempt.key },
          'settling a charge failed; it will be tried again',
        );
      }
    }
  }
}
