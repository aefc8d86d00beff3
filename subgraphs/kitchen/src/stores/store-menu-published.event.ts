import { storeMenuPublished } from '@baedal/contracts';
import type { Actor } from '@baedal/domain';
import type { EventEnvelope } from '@baedal/event-bus';
import type { Tx } from '../db.js';

/**
 * The event that publishes a store's whole current menu. Call it in the transaction that
 * changed the menu (after raising `menuVersion`), so the snapshot is the committed state.
 */
export async function publishedMenu(tx: Tx, storeId: string, actor: Actor): Promise<EventEnvelope> {
  const store = await tx.store.findUniqueOrThrow({
    where: { id: storeId },
    include: { menuItems: { orderBy: { position: 'asc' } } },
  });
  return storeMenuPublished.create(
    {
      storeId: store.id,
      ownerId: store.ownerId,
      name: store.name,
      address: store.address,
      location: { lat: store.lat, lng: store.lng },
      menuVersion: store.menuVersion,
      items: store.menuItems.map(({ id, name, description, priceWon, available }) => ({
        id,
        name,
        description,
        priceWon,
        available,
      })),
    },
    { actor },
  );
}
