import type { Tx } from '../db.js';
import type { TicketItem } from '../tickets/kitchen-ticket.aggregate.js';

/*
 * The popular-menu counts: portions whose cooking started, per menu item. They rise in the
 * transaction that starts cooking and fall again in the one that cancels a cooked order, so
 * a canceled order never counts.
 */

/** Counts the portions of an order whose cooking started. */
export function addCookedPortions(tx: Tx, items: readonly TicketItem[]): Promise<void> {
  return adjust(tx, items, 1);
}

/** Takes back the portions of a cooked order that was canceled. */
export function removeCookedPortions(tx: Tx, items: readonly TicketItem[]): Promise<void> {
  return adjust(tx, items, -1);
}

async function adjust(tx: Tx, items: readonly TicketItem[], sign: 1 | -1): Promise<void> {
  const portions = new Map<string, number>();
  for (const { menuItemId, quantity } of items) {
    portions.set(menuItemId, (portions.get(menuItemId) ?? 0) + quantity);
  }
  // Rows are locked in one order (by id) in every transaction, so that two orders with the
  // same items never wait for each other's locks (a deadlock).
  for (const [id, quantity] of [...portions].sort(([a], [b]) => (a < b ? -1 : 1))) {
    await tx.menuItem.updateMany({
      where: { id },
      data: { cookedCount: { increment: sign * quantity } },
    });
  }
}
