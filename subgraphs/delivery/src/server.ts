import { orderDelivered, orderReadyForPickup } from '@baedal/contracts';
import { on } from '@baedal/event-bus';
import { readSubgraphSdl } from '@baedal/schema';
import { buildSubgraph, type RunningService, startSubgraph } from '@baedal/service-kit';
import type { DeliveryConfig } from './config.js';
import { connectDatabase } from './db.js';
import { completeDelivery } from './deliveries/complete-delivery.handler.js';
import { DeliveryCommands } from './deliveries/delivery.commands.js';
import { DeliveryRepository } from './deliveries/delivery.repository.js';
import { offerDelivery } from './deliveries/offer-delivery.handler.js';
import { createLoaders } from './loaders.js';
import { createResolvers } from './resolvers.js';
import { updateRiderLocation } from './riders/update-rider-location.command.js';
import { seedDelivery } from './seed.js';

/** Starts the delivery subgraph: riders, their locations, deliveries and dispatch. */
export function start(config: DeliveryConfig): Promise<RunningService> {
  const db = connectDatabase(config.databaseUrl);
  return startSubgraph('delivery', config, db, ({ outbox }) => {
    const deliveries = new DeliveryRepository(outbox);
    const resolvers = createResolvers({
      db,
      dispatchRadiusKm: config.dispatchRadiusKm,
      deliveries: new DeliveryCommands(outbox, deliveries, config.dispatchRadiusKm),
      updateRiderLocation: updateRiderLocation(db),
    });
    return {
      schema: buildSubgraph(readSubgraphSdl('delivery'), resolvers),
      loaders: () => createLoaders(db),
      subscriptions: [
        on(orderReadyForPickup, offerDelivery(deliveries)),
        on(orderDelivered, completeDelivery(deliveries)),
      ],
      seed: () => seedDelivery(db),
    };
  });
}
