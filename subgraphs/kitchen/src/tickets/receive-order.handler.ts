import type { orderPlaced } from '@baedal/contracts';
import type { EventHandler, PayloadOf } from '@baedal/event-bus';
import type { Tx } from '../db.js';
import { ticketStore } from '../stores/store.queries.js';
import type { EarlyCancellationRepository } from './early-cancellation.repository.js';
import { KitchenTicket, type ReceivedOrder } from './kitchen-ticket.aggregate.js';
import type { KitchenTicketRepository } from './kitchen-ticket.repository.js';

/**
 * A paid order arrives: its store's kitchen gets a ticket waiting to be accepted, or, when
 * the order's cancel arrived first, a ticket that is canceled already. An order whose ticket
 * exists changes nothing, so a repeated or late event never revives a ticket.
 */
export function receiveOrder(
  tickets: KitchenTicketRepository,
  earlyCancellations: EarlyCancellationRepository,
): EventHandler<Tx, PayloadOf<typeof orderPlaced>> {
  return async (event, tx) => {
    const order = event.payload;
    await tickets.lockOrder(tx, order.orderId);
    if (await tickets.find(tx, order.orderId)) return;
    const store = await tx.store.findUniqueOrThrow({ where: { id: order.storeId } });
    const received: ReceivedOrder = {
      orderId: order.orderId,
      store: ticketStore(store),
      customerId: order.customerId,
      items: order.items.map(({ menuItemId, name, quantity }) => ({ menuItemId, name, quantity })),
      express: order.express,
      dropoff: order.deliveryAddress,
      deliveryFeeWon: order.deliveryFeeWon,
      expressFeeWon: order.expressFeeWon,
      placedAt: new Date(event.occurredAt),
    };
    const cancellation = await earlyCancellations.take(tx, order.orderId);
    await tickets.save(
      tx,
      cancellation
        ? KitchenTicket.receiveCanceled(received, cancellation)
        : KitchenTicket.receive(received, event.actor),
    );
  };
}
