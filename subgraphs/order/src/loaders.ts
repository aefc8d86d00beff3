import { isUuid } from '@baedal/domain';
import DataLoader from 'dataloader';
import type { Db } from './db.js';
import type { OrderState } from './orders/order.aggregate.js';
import { toAggregate } from './orders/order.repository.js';

/** Batches the lookups of one request (one query per kind, however many entities ask). */
export function createLoaders(db: Db) {
  return {
    order: new DataLoader<string, OrderState | null>(async (ids) => {
      const rows = await db.order.findMany({
        where: { id: { in: ids.filter(isUuid) } },
        include: { lines: { orderBy: { lineNo: 'asc' } }, timeline: { orderBy: { seq: 'asc' } } },
      });
      const found = new Map(rows.map((row) => [row.id, toAggregate(row).state]));
      return ids.map((id) => found.get(id) ?? null);
    }),
    storeOwner: new DataLoader<string, string | null>(async (storeIds) => {
      const stores = await db.storeReplica.findMany({
        where: { id: { in: [...storeIds] } },
        select: { id: true, ownerId: true },
      });
      const owners = new Map(stores.map((store) => [store.id, store.ownerId]));
      return storeIds.map((id) => owners.get(id) ?? null);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
