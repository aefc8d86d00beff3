import { orderCanceled, orderDelivered, orderPlaced } from '@baedal/contracts';
import { on } from '@baedal/event-bus';
import { IdentityVerifier } from '@baedal/identity';
import { readSubgraphSdl } from '@baedal/schema';
import { buildSubgraph, type RunningService, startSubgraph } from '@baedal/service-kit';
import type { KitchenConfig } from './config.js';
import { connectDatabase } from './db.js';
import { createLoaders } from './loaders.js';
import { createResolvers } from './resolvers.js';
import { ReviewRepository } from './reviews/review.repository.js';
import { ReviewOrder } from './reviews/review-order.command.js';
import { seedKitchen } from './seed.js';
import { UpdateMenuItem } from './stores/update-menu-item.command.js';
import { AcceptOrder } from './tickets/accept-order.command.js';
import { CancelTicket } from './tickets/cancel-ticket.command.js';
import { closeTicket } from './tickets/close-ticket.handler.js';
import { completeTicket } from './tickets/complete-ticket.handler.js';
import { EarlyCancellationRepository } from './tickets/early-cancellation.repository.js';
import { FinishCooking } from './tickets/finish-cooking.command.js';
import { KitchenTicketRepository } from './tickets/kitchen-ticket.repository.js';
import { receiveOrder } from './tickets/receive-order.handler.js';
import { RejectOrder } from './tickets/reject-order.command.js';
import { StartCooking } from './tickets/start-cooking.command.js';
import { ticketCancellationRoute } from './tickets/ticket-cancellation.route.js';

/**
 * Starts the kitchen subgraph: stores, menus, kitchen tickets and reviews, and the internal
 * endpoint where the order subgraph asks whether a cancel wins.
 */
export function start(config: KitchenConfig): Promise<RunningService> {
  const db = connectDatabase(config.databaseUrl);
  return startSubgraph('kitchen', config, db, ({ outbox, logger }) => {
    const tickets = new KitchenTicketRepository(outbox);
    const earlyCancellations = new EarlyCancellationRepository();
    const resolvers = createResolvers({
      db,
      acceptOrder: new AcceptOrder(outbox, tickets),
      rejectOrder: new RejectOrder(outbox, tickets),
      startCooking: new StartCooking(outbox, tickets),
      finishCooking: new FinishCooking(outbox, tickets),
      updateMenuItem: new UpdateMenuItem(outbox),
      reviewOrder: new ReviewOrder(
        db,
        outbox,
        tickets,
        new ReviewRepository(),
        config.reviewDeliveryWaitMs,
      ),
    });
    return {
      schema: buildSubgraph(readSubgraphSdl('kitchen'), resolvers),
      loaders: () => createLoaders(db),
      subscriptions: [
        on(orderPlaced, receiveOrder(tickets, earlyCancellations)),
        on(orderCanceled, closeTicket(tickets, earlyCancellations)),
        on(orderDelivered, completeTicket(tickets)),
      ],
      routes: ticketCancellationRoute({
        identity: new IdentityVerifier({
          issuer: 'order',
          audience: 'kitchen',
          keys: config.orderPublicKeys,
        }),
        cancelTicket: new CancelTicket(outbox, tickets, earlyCancellations),
        logger,
      }),
      seed: () => seedKitchen(outbox),
    };
  });
}
