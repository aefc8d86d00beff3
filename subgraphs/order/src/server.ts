import { storeMenuPublished } from '@baedal/contracts';
import { on } from '@baedal/event-bus';
import { readSubgraphSdl } from '@baedal/schema';
import { buildSubgraph, type RunningService, startSubgraph } from '@baedal/service-kit';
import type { OrderConfig } from './config.js';
import { connectDatabase } from './db.js';
import { createLoaders } from './loaders.js';
import { applyMenuSnapshot } from './menu/menu-replica.js';
import { confirmDelivery } from './orders/confirm-delivery.command.js';
import { OrderRepository } from './orders/order.repository.js';
import { orderProgressHandlers } from './orders/order-progress.handlers.js';
import { PlaceOrder } from './orders/place-order.command.js';
import { PaymentClient } from './payments/payment.client.js';
import { createResolvers } from './resolvers.js';

/** Starts the order subgraph: orders, their timelines, and the menu replica. */
export function start(config: OrderConfig): Promise<RunningService> {
  const db = connectDatabase(config.databaseUrl);
  return startSubgraph('order', config, db, ({ outbox, logger }) => {
    const orders = new OrderRepository(outbox);
    const payments = new PaymentClient({
      paymentUrl: config.paymentUrl,
      timeoutMs: config.paymentTimeoutMs,
      signingKey: config.orderPrivateKey,
    });
    const placeOrder = new PlaceOrder(db, outbox, orders, payments, logger);
    const resolvers = createResolvers({
      db,
      placeOrder: (viewer, input) => placeOrder.execute(viewer, input),
      confirmDelivery: confirmDelivery(outbox, orders),
    });
    return {
      schema: buildSubgraph(readSubgraphSdl('order'), resolvers),
      loaders: () => createLoaders(db),
      subscriptions: [on(storeMenuPublished, applyMenuSnapshot), ...orderProgressHandlers(orders)],
    };
  });
}
