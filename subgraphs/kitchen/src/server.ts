import { orderPlaced } from '@baedal/contracts';
import { on } from '@baedal/event-bus';
import { readSubgraphSdl } from '@baedal/schema';
import { buildSubgraph, type RunningService, startSubgraph } from '@baedal/service-kit';
import type { KitchenConfig } from './config.js';
import { connectDatabase } from './db.js';
import { createLoaders } from './loaders.js';
import { createResolvers } from './resolvers.js';
import { seedKitchen } from './seed.js';
import { updateMenuItem } from './stores/update-menu-item.command.js';
import { KitchenTicketCommands } from './tickets/kitchen-ticket.commands.js';
import { KitchenTicketRepository } from './tickets/kitchen-ticket.repository.js';
import { receiveOrder } from './tickets/receive-order.handler.js';

/** Starts the kitchen subgraph: stores, menus and kitchen tickets. */
export function start(config: KitchenConfig): Promise<RunningService> {
  const db = connectDatabase(config.databaseUrl);
  return startSubgraph('kitchen', config, db, ({ outbox }) => {
    const tickets = new KitchenTicketRepository(outbox);
    const resolvers = createResolvers({
      db,
      tickets: new KitchenTicketCommands(outbox, tickets),
      updateMenuItem: updateMenuItem(outbox),
    });
    return {
      schema: buildSubgraph(readSubgraphSdl('kitchen'), resolvers),
      loaders: () => createLoaders(db),
      subscriptions: [on(orderPlaced, receiveOrder(tickets))],
      seed: () => seedKitchen(outbox),
    };
  });
}
