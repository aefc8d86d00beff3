import { storeMenuPublished, storeMenuPublishedV1 } from '@baedal/contracts';
import { on } from '@baedal/event-bus';
import { readSubgraphSdl } from '@baedal/schema';
import {
  buildSubgraph,
  PeriodicJob,
  type RunningService,
  startSubgraph,
} from '@baedal/service-kit';
import type { OrderConfig } from './config.js';
import { connectDatabase } from './db.js';
import { KitchenClient } from './kitchen/kitchen.client.js';
import { createLoaders } from './loaders.js';
import { applyMenuSnapshot } from './menu/menu-replica.js';
import { CancelOrder } from './orders/cancel-order.command.js';
import { ConfirmDelivery } from './orders/confirm-delivery.command.js';
import { ExpireUnpaidOrders } from './orders/expire-unpaid-orders.job.js';
import { OrderRepository } from './orders/order.repository.js';
import { orderProgressHandlers } from './orders/order-progress.handlers.js';
import { PayOrder } from './orders/pay-order.command.js';
import { PlaceOrder } from './orders/place-order.command.js';
import { OrderPayments } from './payments/order-payments.service.js';
import { PaymentClient } from './payments/payment.client.js';
import { createResolvers } from './resolvers.js';

/** Starts the order subgraph: orders, their timelines, and the menu replica. */
export function start(config: OrderConfig): Promise<RunningService> {
  const db = connectDatabase(config.databaseUrl);
  return startSubgraph('order', config, db, ({ outbox, logger }) => {
    const orders = new OrderRepository(outbox);
    const calls = {
      signingKey: config.orderPrivateKey,
      breaker: {
        errorThresholdPercent: config.breakerErrorPercent,
        minimumRequests: config.breakerMinimumRequests,
        resetTimeoutMs: config.breakerResetMs,
      },
    };
    const payments = new PaymentClient(config.paymentUrl, {
      ...calls,
      timeoutMs: config.paymentTimeoutMs,
    });
    const kitchen = new KitchenClient(config.kitchenUrl, {
      ...calls,
      timeoutMs: config.kitchenTimeoutMs,
    });
    const orderPayments = new OrderPayments(outbox, orders, payments, logger);
    const fees = { deliveryFeeWon: config.deliveryFeeWon, expressFeeWon: config.expressFeeWon };
    const expiry = new ExpireUnpaidOrders(db, outbox, orders, config.unpaidOrderTtlMs);
    const resolvers = createResolvers({
      db,
      placeOrder: new PlaceOrder(db, outbox, orders, orderPayments, fees, config.unpaidOrderTtlMs),
      payOrder: new PayOrder(db, orders, orderPayments),
      cancelOrder: new CancelOrder(db, outbox, orders, kitchen),
      confirmDelivery: new ConfirmDelivery(outbox, orders),
      fees,
      unpaidOrderTtlMs: config.unpaidOrderTtlMs,
    });
    return {
      schema: buildSubgraph(readSubgraphSdl('order'), resolvers),
      loaders: () => createLoaders(db),
      subscriptions: [
        on(storeMenuPublished, applyMenuSnapshot),
        on(storeMenuPublishedV1, applyMenuSnapshot),
        ...orderProgressHandlers(orders),
      ],
      jobs: [
        new PeriodicJob({
          name: 'expire unpaid orders',
          intervalMs: config.unpaidOrderSweepMs,
          logger,
          round: async () => {
            await expiry.run();
          },
        }),
      ],
      dispose: () => {
        payments[Symbol.dispose]();
        kitchen[Symbol.dispose]();
      },
    };
  });
}
