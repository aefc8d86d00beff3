import { stores } from '@baedal/demo-data';
import { systemActor } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Tx } from './db.js';
import { publishedMenu } from './stores/store-menu-published.event.js';

/**
 * Creates the demo stores that do not exist yet, then publishes each demo store's menu.
 * Publishing again on every start is harmless (replicas keep the highest menu version) and
 * restores a replica whose database was reset.
 */
export async function seedKitchen(outbox: Outbox<Tx>): Promise<void> {
  for (const { menu, ...store } of stores) {
    await outbox.transaction(async (tx) => {
      if (!(await tx.store.findUnique({ where: { id: store.id } }))) {
        await tx.store.create({
          data: {
            ...store,
            menuItems: { create: menu.map((item, position) => ({ ...item, position })) },
          },
        });
      }
      await outbox.append(tx, [await publishedMenu(tx, store.id, systemActor)]);
    });
  }
}
