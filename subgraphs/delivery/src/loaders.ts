import { isUuid } from '@baedal/domain';
import { byKey } from '@baedal/service-kit';
import DataLoader from 'dataloader';
import type { Db } from './db.js';
import type { Delivery, Rider } from './generated/prisma/client.js';

/** Batches the lookups of one request (one query per kind, however many entities ask). */
export function createLoaders(db: Db) {
  return {
    delivery: new DataLoader<string, Delivery | null>(async (ids) =>
      byKey(
        ids,
        await db.delivery.findMany({ where: { id: { in: ids.filter(isUuid) } } }),
        (delivery) => delivery.id,
      ),
    ),
    deliveryByOrder: new DataLoader<string, Delivery | null>(async (orderIds) =>
      byKey(
        orderIds,
        await db.delivery.findMany({ where: { orderId: { in: orderIds.filter(isUuid) } } }),
        (delivery) => delivery.orderId,
      ),
    ),
    rider: new DataLoader<string, Rider | null>(async (ids) =>
      byKey(ids, await db.rider.findMany({ where: { id: { in: [...ids] } } }), (rider) => rider.id),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
