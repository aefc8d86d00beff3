import type { orderDelivered } from '@baedal/contracts';
import type { EventHandler, PayloadOf } from '@baedal/event-bus';
import type { Tx } from '../db.js';
import type { KitchenTicketRepository } from './kitchen-ticket.repository.js';

/**
 * The customer confirmed receipt (`order.delivered`): the ticket is DELIVERED, and the order
 * can be reviewed. A missing ticket, or one that is not READY, means the subgraphs disagree;
 * the handler then fails, so the consumer retries the event and finally parks it in the
 * dead letters (`npm run events -- dead-letters`) for someone to look at.
 */
export function completeTicket(
  tickets: KitchenTicketRepository,
): EventHandler<Tx, PayloadOf<typeof orderDelivered>> {
  return async (event, tx) => {
    const ticket = await tickets.find(tx, event.payload.orderId);
    if (!ticket) throw new Error(`No kitchen ticket for order ${event.payload.orderId}.`);
    ticket.markDelivered(new Date(event.occurredAt));
    await tickets.save(tx, ticket);
  };
}
