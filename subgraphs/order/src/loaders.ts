import { isUuid } from '@baedal/domain';
import { byKey } from '@baedal/service-kit';
import DataLoader from 'dataloader';
import type { Db } from './db.js';
import type { OrderState } from './orders/order.aggregate.js';
import { toAggregate, withDetails } from './orders/order.repository.js';

/** Batches the lookups of one request (one query per kind, however many entities ask). */
export function createLoaders(db: Db) {
  return {
    order: new DataLoader<string, OrderState | null>(async (ids) => {
      const rows = await db.order.findMany({
        where: { id: { in: ids.filter(isUuid) } },
        include: withDetails,
      });
      return byKey(
        ids,
        rows.map((row) => toAggregate(row).state),
        (order) => order.id,
      );
    }),
    storeOwner: new DataLoader<string, string | null>(async (storeIds) => {
      const stores = await db.storeReplica.findMany({
        where: { id: { in: [...storeIds] } },
        select: { id: true, ownerId: true },
      });
      return byKey(storeIds, stores, (store) => store.id).map((store) => store?.ownerId ?? null);
    }),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
