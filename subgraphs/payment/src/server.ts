import { IdentityVerifier } from '@baedal/identity';
import { readSubgraphSdl } from '@baedal/schema';
import { buildSubgraph, type RunningService, startSubgraph } from '@baedal/service-kit';
import type { PaymentConfig } from './config.js';
import { connectDatabase } from './db.js';
import { createLoaders } from './loaders.js';
import { SimulatedCardGateway } from './payments/card.gateway.js';
import { chargeRoute } from './payments/charge.route.js';
import { chargeOrder } from './payments/charge-order.command.js';
import { PaymentRepository } from './payments/payment.repository.js';
import { createResolvers } from './resolvers.js';

/**
 * Starts the payment subgraph: `Order.payment` in the graph, and the internal charge
 * endpoint the order subgraph calls. It consumes no events yet.
 */
export function start(config: PaymentConfig): Promise<RunningService> {
  const db = connectDatabase(config.databaseUrl);
  return startSubgraph('payment', config, db, ({ outbox, logger }) => {
    const charge = chargeOrder({
      db,
      outbox,
      payments: new PaymentRepository(outbox),
      cards: new SimulatedCardGateway(),
    });
    return {
      schema: buildSubgraph(readSubgraphSdl('payment'), createResolvers()),
      loaders: () => createLoaders(db),
      subscriptions: [],
      routes: chargeRoute({
        identity: new IdentityVerifier({
          issuer: 'order',
          audience: 'payment',
          keys: config.orderPublicKeys,
        }),
        charge,
        logger,
      }),
    };
  });
}
