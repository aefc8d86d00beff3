import { isCleanId, isUuid } from '@baedal/domain';
import { byKey } from '@baedal/service-kit';
import DataLoader from 'dataloader';
import type { Db } from './db.js';
import type { KitchenTicket, MenuItem, Review, Store } from './generated/prisma/client.js';

/** A ticket row with its store, which both `KitchenTicket.store` and the access checks read. */
export type TicketWithStore = KitchenTicket & { store: Store };

/** A review row with its store, whose owner may read it. */
export type ReviewWithStore = Review & { store: Store };

/**
 * Batches the lookups of one request (one query per kind, however many entities ask). Ids
 * no row can have (see `isCleanId`, `isUuid`) are answered as unknown without asking the
 * database, which would refuse some of them (a NUL byte) with an error.
 */
export function createLoaders(db: Db) {
  return {
    store: new DataLoader<string, Store | null>(async (ids) =>
      byKey(
        ids,
        await db.store.findMany({ where: { id: { in: ids.filter(isCleanId) } } }),
        (store) => store.id,
      ),
    ),
    menuItem: new DataLoader<string, MenuItem | null>(async (ids) =>
      byKey(
        ids,
        await db.menuItem.findMany({ where: { id: { in: ids.filter(isCleanId) } } }),
        (item) => item.id,
      ),
    ),
    menu: new DataLoader<string, MenuItem[]>(async (storeIds) => {
      const items = await db.menuItem.findMany({
        where: { storeId: { in: [...storeIds] } },
        orderBy: { position: 'asc' },
      });
      return storeIds.map((storeId) => items.filter((item) => item.storeId === storeId));
    }),
    ticket: new DataLoader<string, TicketWithStore | null>(async (orderIds) =>
      byKey(
        orderIds,
        await db.kitchenTicket.findMany({
          where: { orderId: { in: orderIds.filter(isUuid) } },
          include: { store: true },
        }),
        (ticket) => ticket.orderId,
      ),
    ),
    review: new DataLoader<string, ReviewWithStore | null>(async (orderIds) =>
      byKey(
        orderIds,
        await db.review.findMany({
          where: { orderId: { in: orderIds.filter(isUuid) } },
          include: { store: true },
        }),
        (review) => review.orderId,
      ),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
