import { orderCanceled, orderDelivered, orderReadyForPickup } from '@baedal/contracts';
import { on } from '@baedal/event-bus';
import { readSubgraphSdl } from '@baedal/schema';
import { buildSubgraph, type RunningService, startSubgraph } from '@baedal/service-kit';
import type { DeliveryConfig } from './config.js';
import { connectDatabase } from './db.js';
import { cancelDelivery } from './deliveries/cancel-delivery.handler.js';
import { CanceledOrderRepository } from './deliveries/canceled-order.repository.js';
import { ClaimDelivery } from './deliveries/claim-delivery.command.js';
import { completeDelivery } from './deliveries/complete-delivery.handler.js';
import { DeliveryRepository } from './deliveries/delivery.repository.js';
import { DispatchPolicy } from './deliveries/dispatch.policy.js';
import { offerDelivery } from './deliveries/offer-delivery.handler.js';
import { PickUpDelivery } from './deliveries/pick-up-delivery.command.js';
import { ReportAccident } from './deliveries/report-accident.command.js';
import { createLoaders } from './loaders.js';
import { createResolvers } from './resolvers.js';
import { UpdateRiderLocation } from './riders/update-rider-location.command.js';
import { seedDelivery } from './seed.js';

/** Starts the delivery subgraph: riders, their locations, deliveries and dispatch. */
export function start(config: DeliveryConfig): Promise<RunningService> {
  const db = connectDatabase(config.databaseUrl);
  return startSubgraph('delivery', config, db, ({ outbox }) => {
    const deliveries = new DeliveryRepository(outbox);
    const canceledOrders = new CanceledOrderRepository();
    const dispatch = new DispatchPolicy(config.dispatchRadiusKm, config.expressMaxMinutes);
    const resolvers = createResolvers({
      db,
      dispatch,
      claimDelivery: new ClaimDelivery(outbox, deliveries, dispatch),
      pickUpDelivery: new PickUpDelivery(outbox, deliveries),
      reportAccident: new ReportAccident(outbox, deliveries),
      updateRiderLocation: new UpdateRiderLocation(db),
    });
    return {
      schema: buildSubgraph(readSubgraphSdl('delivery'), resolvers),
      loaders: () => createLoaders(db),
      subscriptions: [
        on(orderReadyForPickup, offerDelivery(deliveries, canceledOrders)),
        on(orderDelivered, completeDelivery(deliveries)),
        on(orderCanceled, cancelDelivery(deliveries, canceledOrders)),
      ],
      seed: () => seedDelivery(db),
    };
  });
}
