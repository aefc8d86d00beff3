import type { Outbox } from '@baedal/event-bus';
import { transact } from '@baedal/service-kit';
import type { Db, Tx } from '../db.js';
import type { OrderRepository } from './order.repository.js';

/**
 * Cancels orders that waited for payment longer than `ttlMs` (flow 3), with the system as
 * their actor; run on a schedule (see `PeriodicJob`). An order paid meanwhile is left alone; a
 * charge still unknown at that moment is refunded by the payment subgraph if it goes through
 * later, since it hears of the cancel.
 */
export class ExpireUnpaidOrders {
  readonly #reason: string;

  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox<Tx>,
    private readonly orders: OrderRepository,
    private readonly ttlMs: number,
  ) {
    const minutes = Math.round(ttlMs / 60_000);
    this.#reason = `Not paid within ${minutes >= 1 ? `${minutes} minutes` : 'the time allowed'}.`;
  }

  /** Expires every order due now; answers how many. */
  async run(): Promise<number> {
    let expired = 0;
    for (;;) {
      const due = await this.orders.unpaidSince(this.db, new Date(Date.now() - this.ttlMs), 100);
      for (const orderId of due) {
        const done = await transact(this.outbox, async (tx) => {
          const order = (await this.orders.find(tx, orderId))!;
          if (order.state.status !== 'PAYMENT_PENDING') return false;
          order.expire(new Date(), this.#reason);
          await this.orders.save(tx, order);
          return true;
        });
        if (done) expired += 1;
      }
      if (due.length < 100) return expired;
    }
  }
}
