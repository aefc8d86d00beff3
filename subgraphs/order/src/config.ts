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

const variables = {
  ...subgraphVariables('order'),
  /** Base URL of the payment subgraph, whose internal charge endpoint this one calls. */
  paymentUrl: variable('PAYMENT_URL', url('http://127.0.0.1:4002')),
  /** How long a charge may take before the order is left waiting for payment. */
  paymentTimeoutMs: variable('PAYMENT_TIMEOUT_MS', milliseconds(3000)),
  /** Signs this subgraph's calls to other subgraphs' internal endpoints. */
  orderPrivateKey: privateKeyVariable('ORDER_PRIVATE_KEY', developmentSecrets.orderPrivateKey),
};

export type OrderConfig = ConfigOf<typeof variables>;

export const loadOrderConfig = (env: NodeJS.ProcessEnv = process.env): OrderConfig =>
  loadConfig(variables, env);
