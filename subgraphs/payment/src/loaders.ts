import { isUuid } from '@baedal/domain';
import { byKey } from '@baedal/service-kit';
import DataLoader from 'dataloader';
import type { Db } from './db.js';
import type { Payment } from './generated/prisma/client.js';

/** Batches the lookups of one request (one query, however many orders ask). */
export function createLoaders(db: Db) {
  return {
    paymentOfOrder: new DataLoader<string, Payment | null>(async (orderIds) =>
      byKey(
        orderIds,
        await db.payment.findMany({ where: { orderId: { in: orderIds.filter(isUuid) } } }),
        (payment) => payment.orderId,
      ),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
