import {
  BadUserInputError,
  isCleanId,
  requireIntInRange,
  requireParagraph,
  requireText,
} from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requireOwner, requireRole, transact, type UseCase } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import type { MenuItem } from '../generated/prisma/client.js';
import { publishedMenu } from './store-menu-published.event.js';

export interface UpdateMenuItemInput {
  readonly menuItemId: string;
  readonly name?: string | null;
  readonly description?: string | null;
  readonly priceWon?: number | null;
  readonly available?: boolean | null;
}

/**
 * Changes one item of a store's menu and publishes the store's new menu, so that the order
 * subgraph prices new orders with it. Only the store's owner may.
 *
 * A menu has no versioned save: each change raises the store's `menuVersion` in place, which
 * locks the store's row until the change commits, so changes of one menu run one after the
 * other and each publishes the menu as it left it.
 */
export class UpdateMenuItem implements UseCase<UpdateMenuItemInput, MenuItem> {
  constructor(private readonly outbox: Outbox<Tx>) {}

  execute(viewer: Viewer | null, input: UpdateMenuItemInput): Promise<MenuItem> {
    const owner = requireRole(viewer, 'STORE_OWNER');
    const change = {
      ...(input.name != null && { name: requireText(input.name, 'input.name', 100) }),
      ...(input.description != null && {
        description: requireParagraph(input.description, 'input.description', 500),
      }),
      ...(input.priceWon != null && {
        priceWon: requireIntInRange(input.priceWon, 'input.priceWon', 0, 1_000_000),
      }),
      ...(input.available != null && { available: input.available }),
    };
    return transact(this.outbox, async (tx) => {
      // An id no item can have is unknown; the database would refuse some (a NUL byte).
      const item = isCleanId(input.menuItemId)
        ? await tx.menuItem.findUnique({
            where: { id: input.menuItemId },
            include: { store: { select: { ownerId: true } } },
          })
        : null;
      if (!item) throw new BadUserInputError('input.menuItemId', 'no menu item has this id.');
      requireOwner(owner, item.store.ownerId, 'This menu item is in a store you do not own.');
      const updated = await tx.menuItem.update({ where: { id: item.id }, data: change });
      await tx.store.update({
        where: { id: item.storeId },
        data: { menuVersion: { increment: 1 } },
      });
      await this.outbox.append(tx, [await publishedMenu(tx, item.storeId, owner)]);
      return updated;
    });
  }
}
