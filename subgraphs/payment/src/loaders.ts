import { isUuid } from '@baedal/domain';
import DataLoader from 'dataloader';
import type { Db } from './db.js';
import type { Payment } from './generated/prisma/client.js';

/** Batches the lookups of one request (one query, however many orders ask). */
export function createLoaders(db: Db) {
  return {
    paymentOfOrder: new DataLoader<string, Payment | null>(async (orderIds) => {
      const rows = await db.payment.findMany({
        where: { orderId: { in: orderIds.filter(isUuid) } },
      });
      const found = new Map(rows.map((row) => [row.orderId, row]));
      return orderIds.map((orderId) => found.get(orderId) ?? null);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
