import { isUuid } from '@baedal/domain';
import DataLoader from 'dataloader';
import type { Db } from './db.js';
import type { KitchenTicket, MenuItem, Store } from './generated/prisma/client.js';

export type TicketWithOwner = KitchenTicket & { store: { ownerId: string } };

/** Batches the lookups of one request (one query per kind, however many entities ask). */
export function createLoaders(db: Db) {
  return {
    store: new DataLoader<string, Store | null>(async (ids) =>
      byKey(ids, await db.store.findMany({ where: { id: { in: [...ids] } } }), (store) => store.id),
    ),
    menuItem: new DataLoader<string, MenuItem | null>(async (ids) =>
      byKey(
        ids,
        await db.menuItem.findMany({ where: { id: { in: [...ids] } } }),
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
    ticket: new DataLoader<string, TicketWithOwner | null>(async (orderIds) =>
      byKey(
        orderIds,
        await db.kitchenTicket.findMany({
          where: { orderId: { in: orderIds.filter(isUuid) } },
          include: { store: { select: { ownerId: true } } },
        }),
        (ticket) => ticket.orderId,
      ),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

function byKey<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): (T | null)[] {
  const found = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => found.get(key) ?? null);
}
