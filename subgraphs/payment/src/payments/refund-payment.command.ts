import { systemActor } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import { transact } from '@baedal/service-kit';
import type { Db, Tx } from '../db.js';
import { type CardProvider, providerCallSignal } from './card-provider.js';
import type { PaymentRepository } from './payment.repository.js';

/**
 * Gives back the money of a REFUNDING payment: asks the card provider to refund its approved
 * charge, outside any transaction, under the key `refund:<paymentId>` (so that asking again,
 * after a crash or from another replica, never refunds twice), then records the payment
 * REFUNDED (`Payment.completeRefund`: points taken back, `payment.refunded`). A payment in
 * any other status is left alone.
 */
export class RefundPayment {
  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox<Tx>,
    private readonly payments: PaymentRepository,
    private readonly cards: CardProvider,
    /** `CARD_PROVIDER_TIMEOUT_MS`. */
    private readonly timeoutMs: number,
  ) {}

  /**
   * Rejects when the provider gives no answer in time (or `signal` aborts): the payment then
   * stays REFUNDING, for the next round of the refund job.
   */
  async execute(paymentId: string, signal?: AbortSignal): Promise<void> {
    const payment = await this.payments.find(this.db, paymentId);
    if (payment?.state.status !== 'REFUNDING') return;
    await this.cards.refund(payment.refundRequest(), providerCallSignal(this.timeoutMs, signal));
    await transact(this.outbox, async (tx) => {
      const fresh = await this.payments.find(tx, paymentId);
      // Another replica recorded the same refund first.
      if (fresh?.state.status !== 'REFUNDING') return;
      fresh.completeRefund(systemActor, new Date());
      await this.payments.save(tx, fresh);
    });
  }
}
