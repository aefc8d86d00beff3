import type { storeMenuPublished, storeMenuPublishedV1 } from '@baedal/contracts';
import { isCleanId } from '@baedal/domain';
import type { EventEnvelope, PayloadOf } from '@baedal/event-bus';
import type { Db, Tx } from '../db.js';
import type { PricedMenu } from '../orders/order.aggregate.js';

type MenuSnapshot = PayloadOf<typeof storeMenuPublished>;

/**
 * Keeps this subgraph's copy of a store's menu: a snapshot replaces the copy if it is newer
 * than the copy's version. The row lock serialises snapshots of one store, so of two
 * concurrent ones the newer always wins. Version 1 snapshots (which also carried the store's
 * own delivery fee, no longer used) are read the same way.
 */
export async function applyMenuSnapshot(
  event: EventEnvelope<MenuSnapshot | PayloadOf<typeof storeMenuPublishedV1>>,
  tx: Tx,
): Promise<void> {
  const { storeId, ownerId, name, menuVersion, items } = event.payload;
  const [current] = await tx.$queryRaw<{ menu_version: number }[]>`
    SELECT menu_version FROM store_replica WHERE id = ${storeId} FOR UPDATE`;
  if (current && current.menu_version >= menuVersion) return;

  const store = { ownerId, name, menuVersion };
  await tx.storeReplica.upsert({
    where: { id: storeId },
    create: { id: storeId, ...store },
    update: store,
  });
  await tx.menuItemReplica.deleteMany({
    where: { storeId, id: { notIn: items.map((item) => item.id) } },
  });
  for (const { id, name, priceWon, available } of items) {
    const item = { name, priceWon, available };
    await tx.menuItemReplica.upsert({
      where: { id },
      create: { id, storeId, ...item },
      update: item,
    });
  }
}

/**
 * The menu a new order is priced from, or null if this subgraph has never heard of the store
 * (including an id no store can have, such as one with a NUL byte).
 */
export async function findMenu(db: Db, storeId: string): Promise<PricedMenu | null> {
  if (!isCleanId(storeId)) return null;
  const store = await db.storeReplica.findUnique({
    where: { id: storeId },
    include: { menuItems: true },
  });
  if (!store) return null;
  return {
    storeId: store.id,
    items: new Map(
      store.menuItems.map(({ id, name, priceWon, available }) => [
        id,
        { name, priceWon, available },
      ]),
    ),
  };
}
