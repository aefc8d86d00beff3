import {
  type ConfigOf,
  developmentSecrets,
  loadConfig,
  milliseconds,
  privateKeyVariable,
  subgraphVariables,
  url,
  variable,
} from '@baedal/service-kit';
import { z } from 'zod';

const won = (fallback: number) => z.coerce.number().int().min(0).max(1_000_000).default(fallback);

const variables = {
  ...subgraphVariables('order'),
  /** What every order pays for delivery. */
  deliveryFeeWon: variable('DELIVERY_FEE_WON', won(3000)),
  /** What an express order pays on top of the delivery fee; it goes to the rider. */
  expressFeeWon: variable('EXPRESS_FEE_WON', won(2500)),
  /** Base URL of the payment subgraph, whose internal charge endpoint this one calls. */
  paymentUrl: variable('PAYMENT_URL', url('http://127.0.0.1:4002')),
  /** How long a charge may take before the order is left waiting for payment. */
  paymentTimeoutMs: variable('PAYMENT_TIMEOUT_MS', milliseconds(3000)),
  /** Base URL of the kitchen subgraph, which decides whether a cancel wins. */
  kitchenUrl: variable('KITCHEN_URL', url('http://127.0.0.1:4003')),
  /** How long the kitchen may take to answer a cancel before it is refused as unavailable. */
  kitchenTimeoutMs: variable('KITCHEN_TIMEOUT_MS', milliseconds(3000)),
  /** Share of failed calls (percent) in the last 10 s that opens a circuit breaker. */
  breakerErrorPercent: variable(
    'CIRCUIT_BREAKER_ERROR_PERCENT',
    z.coerce.number().int().min(1).max(100).default(50),
  ),
  /** Calls in the last 10 s before a circuit breaker may open. */
  breakerMinimumRequests: variable(
    'CIRCUIT_BREAKER_MIN_REQUESTS',
    z.coerce.number().int().min(1).default(5),
  ),
  /** How long an open circuit breaker refuses calls before it tries one again. */
  breakerResetMs: variable('CIRCUIT_BREAKER_RESET_MS', milliseconds(10_000)),
  /** How long an order may wait for payment before it is canceled. */
  unpaidOrderTtlMs: variable('UNPAID_ORDER_TTL_MS', milliseconds(15 * 60_000)),
  /** How often unpaid orders past their deadline are looked for. */
  unpaidOrderSweepMs: variable('UNPAID_ORDER_SWEEP_MS', milliseconds(5000)),
  /** Signs this subgraph's calls to other subgraphs' internal endpoints. */
  orderPrivateKey: privateKeyVariable('ORDER_PRIVATE_KEY', developmentSecrets.orderPrivateKey),
};

export type OrderConfig = ConfigOf<typeof variables>;

export const loadOrderConfig = (env: NodeJS.ProcessEnv = process.env): OrderConfig =>
  loadConfig(variables, env);
