import type { orderCanceled } from '@baedal/contracts';
import type { EventHandler, PayloadOf } from '@baedal/event-bus';
import type { Tx } from '../db.js';
import { removeCookedPortions } from '../stores/popular-items.repository.js';
import type { EarlyCancellationRepository } from './early-cancellation.repository.js';
import type { KitchenTicketRepository } from './kitchen-ticket.repository.js';

/**
 * The order ended without being delivered (`order.canceled`: an accident on the way, an
 * unpaid order that expired, a cancel whose answer got lost). An open ticket is closed as
 * CANCELED with the order's reason; if its cooking had started, its portions leave the
 * popular-menu counts again. A closed ticket stays as it is. Should the owner save the ticket
 * meanwhile, the stale save fails this attempt and the consumer applies the event again, on
 * the fresh ticket.
 *
 * Events of one order can overtake each other (a failed `order.placed` is retried later): an
 * order canceled before its ticket exists is kept as an early cancellation, so its late
 * `order.placed` creates the ticket canceled. An order that never was paid has no
 * `order.placed` to come, and leaves that row unused.
 */
export function closeTicket(
  tickets: KitchenTicketRepository,
  earlyCancellations: EarlyCancellationRepository,
): EventHandler<Tx, PayloadOf<typeof orderCanceled>> {
  return async (event, tx) => {
    const { orderId, storeId, customerId, reason } = event.payload;
    const at = new Date(event.occurredAt);
    await tickets.lockOrder(tx, orderId);
    const ticket = await tickets.find(tx, orderId);
    if (!ticket) {
      if (!(await earlyCancellations.find(tx, orderId))) {
        await earlyCancellations.add(tx, {
          orderId,
          storeId,
          customerId,
          reason,
          by: event.actor,
          at,
        });
      }
      return;
    }
    if (!ticket.isOpen) return;
    const cooked = ticket.state.cookingStartedAt !== null;
    ticket.closeForCanceledOrder(reason, event.actor, at);
    await tickets.save(tx, ticket);
    if (cooked) await removeCookedPortions(tx, ticket.state.items);
  };
}
