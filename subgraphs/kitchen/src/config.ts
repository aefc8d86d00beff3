import {
  type ConfigOf,
  developmentSecrets,
  loadConfig,
  milliseconds,
  publicKeysVariable,
  subgraphVariables,
  variable,
} from '@baedal/service-kit';

const variables = {
  ...subgraphVariables('kitchen'),
  /** Verify the order subgraph's calls to the internal cancel endpoint, and nothing else. */
  orderPublicKeys: publicKeysVariable('ORDER_PUBLIC_KEYS', developmentSecrets.orderPublicKey),
  /**
   * How long a review of an order whose ticket is still READY waits for the order's
   * `order.delivered` event (a review sent right after the customer confirmed receipt can
   * arrive before it).
   */
  reviewDeliveryWaitMs: variable('REVIEW_DELIVERY_WAIT_MS', milliseconds(5000)),
};

export type KitchenConfig = ConfigOf<typeof variables>;

export const loadKitchenConfig = (env: NodeJS.ProcessEnv = process.env): KitchenConfig =>
  loadConfig(variables, env);
