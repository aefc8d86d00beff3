import type { Tx } from '../db.js';
import type { OrderCancellation } from './delivery.aggregate.js';

/**
 * Orders canceled before they had a delivery. The order subgraph's `order.canceled` and the
 * kitchen's ready-for-pickup travel on different streams, so the cancellation can come first;
 * remembering it lets the late ready-for-pickup create the delivery canceled instead of
 * offering it to riders.
 */
export class CanceledOrderRepository {
  /** The cancellation of an order this subgraph remembers; null if it knows of none. */
  async find(tx: Tx, orderId: string): Promise<OrderCancellation | null> {
    const row = await tx.canceledOrder.findUnique({ where: { orderId } });
    return row && { reason: row.reason, at: row.canceledAt };
  }

  /** Remembers an order's cancellation; the first one stays if it is told again. */
  async remember(tx: Tx, orderId: string, cancellation: OrderCancellation): Promise<void> {
    await tx.canceledOrder.createMany({
      data: [{ orderId, reason: cancellation.reason, canceledAt: cancellation.at }],
      skipDuplicates: true,
    });
  }
}
