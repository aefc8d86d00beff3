import {
  type ConfigOf,
  developmentSecrets,
  loadConfig,
  publicKeysVariable,
  subgraphVariables,
} from '@baedal/service-kit';

const variables = {
  ...subgraphVariables('payment'),
  /** Verify the order subgraph's calls to the internal charge endpoint, and nothing else. */
  orderPublicKeys: publicKeysVariable('ORDER_PUBLIC_KEYS', developmentSecrets.orderPublicKey),
};

export type PaymentConfig = ConfigOf<typeof variables>;

export const loadPaymentConfig = (env: NodeJS.ProcessEnv = process.env): PaymentConfig =>
  loadConfig(variables, env);
