import { orderCanceled } from '@baedal/contracts';
import { on } from '@baedal/event-bus';
import { IdentityVerifier } from '@baedal/identity';
import { readSubgraphSdl } from '@baedal/schema';
import { buildSubgraph, type RunningService, startSubgraph } from '@baedal/service-kit';
import type { PaymentConfig } from './config.js';
import { connectDatabase } from './db.js';
import { createLoaders } from './loaders.js';
import { chargeRoute } from './payments/charge.route.js';
import { ChargeOrder } from './payments/charge-order.command.js';
import { PaymentRepository } from './payments/payment.repository.js';
import { refundCanceledOrder } from './payments/refund-canceled-order.handler.js';
import { RefundPayment } from './payments/refund-payment.command.js';
import { RefundPaymentsJob } from './payments/refund-payments.job.js';
import { SettleChargeAttempt } from './payments/settle-charge-attempt.command.js';
import { SettleChargesJob } from './payments/settle-charges.job.js';
import { SimulatedCardProvider } from './payments/simulated-card-provider.js';
import { createResolvers } from './resolvers.js';

/**
 * Starts the payment subgraph: `Order.payment` and `myPoints` in the graph, the internal
 * charge endpoint the order subgraph calls, refunds of canceled orders (`order.canceled`),
 * and the jobs that settle charges of unknown outcome and carry out refunds.
 */
export function start(config: PaymentConfig): Promise<RunningService> {
  const db = connectDatabase(config.databaseUrl);
  return startSubgraph('payment', config, db, ({ outbox, logger }) => {
    const payments = new PaymentRepository(outbox);
    const cards = new SimulatedCardProvider(db, {
      latencyMs: config.simulatedCardLatencyMs,
      slowMs: config.simulatedCardSlowMs,
      outage: config.simulatedCardOutage,
    });
    const refunds = new RefundPaymentsJob(
      db,
      payments,
      new RefundPayment(db, outbox, payments, cards, config.cardProviderTimeoutMs),
      config.settleIntervalMs,
      logger,
    );
    const settle = new SettleChargeAttempt(
      outbox,
      payments,
      cards,
      refunds,
      { timeoutMs: config.cardProviderTimeoutMs, pointsEarnPercent: config.pointsEarnPercent },
      logger,
    );
    return {
      schema: buildSubgraph(readSubgraphSdl('payment'), createResolvers(db)),
      loaders: () => createLoaders(db),
      subscriptions: [on(orderCanceled, refundCanceledOrder(payments, refunds))],
      routes: chargeRoute(
        new IdentityVerifier({
          issuer: 'order',
          audience: 'payment',
          keys: config.orderPublicKeys,
        }),
        new ChargeOrder(outbox, payments, settle),
        logger,
      ),
      jobs: [
        new SettleChargesJob(
          db,
          payments,
          settle,
          { intervalMs: config.settleIntervalMs, settleAfterMs: config.settleAfterMs },
          logger,
        ),
        refunds,
      ],
    };
  });
}
