import type { orderPlaced } from '@baedal/contracts';
import type { EventEnvelope, PayloadOf } from '@baedal/event-bus';
import type { Tx } from '../db.js';
import { ticketStore } from '../stores/store.queries.js';
import { KitchenTicket } from './kitchen-ticket.aggregate.js';
import type { KitchenTicketRepository } from './kitchen-ticket.repository.js';

/** A paid order arrives: its store's kitchen gets a ticket waiting to be accepted. */
export function receiveOrder(tickets: KitchenTicketRepository) {
  return async (event: EventEnvelope<PayloadOf<typeof orderPlaced>>, tx: Tx): Promise<void> => {
    const order = event.payload;
    const store = await tx.store.findUniqueOrThrow({ where: { id: order.storeId } });
    const ticket = KitchenTicket.receive(
      {
        orderId: order.orderId,
        store: ticketStore(store),
        customerId: order.customerId,
        items: order.items.map(({ menuItemId, name, quantity }) => ({
          menuItemId,
          name,
          quantity,
        })),
        express: order.express,
        dropoff: order.deliveryAddress,
        deliveryFeeWon: order.deliveryFeeWon,
        expressFeeWon: order.expressFeeWon,
        placedAt: new Date(event.occurredAt),
      },
      event.actor,
    );
    await tickets.save(tx, ticket);
  };
}
