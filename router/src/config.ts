import { subgraphs } from '@baedal/schema';
import {
  type ConfigOf,
  developmentSecrets,
  flag,
  loadConfig,
  milliseconds,
  secret,
  serviceVariables,
  url,
  variable,
} from '@baedal/service-kit';
import { z } from 'zod';

const subgraphUrl = (name: keyof typeof subgraphs) =>
  variable(`${name.toUpperCase()}_URL`, url(`http://127.0.0.1:${subgraphs[name]}/graphql`));

const variables = {
  ...serviceVariables(4000),
  /** Verifies people's bearer tokens. */
  jwtSecret: variable('JWT_SECRET', secret(developmentSecrets.jwt)),
  orderUrl: subgraphUrl('order'),
  paymentUrl: subgraphUrl('payment'),
  kitchenUrl: subgraphUrl('kitchen'),
  deliveryUrl: subgraphUrl('delivery'),
  /** Ping interval of subscription sockets; a client silent for as long is disconnected. */
  liveKeepAliveMs: variable('LIVE_KEEP_ALIVE_MS', milliseconds(12_000)),
  /** Results queued for a subscriber that does not read, before it is disconnected. */
  liveMaxQueuedResults: variable(
    'LIVE_MAX_QUEUED_RESULTS',
    z.coerce.number().int().positive().default(100),
  ),
  /** How long shutdown waits for live payloads under way before closing sockets. */
  liveDrainTimeoutMs: variable('LIVE_DRAIN_TIMEOUT_MS', milliseconds(5000)),
  /** Origins allowed to call the API from a browser, comma-separated; `*` for any. */
  corsOrigins: variable('CORS_ORIGINS', z.string().default('*')),
  /**
   * Serve the playground at `/graphql` and answer introspection, which its docs and
   * completion need. Default: on, except with `NODE_ENV=production`.
   */
  playground: variable('PLAYGROUND', flag(process.env.NODE_ENV !== 'production')),
};

export type RouterConfig = ConfigOf<typeof variables>;

export const loadRouterConfig = (env: NodeJS.ProcessEnv = process.env): RouterConfig =>
  loadConfig(variables, env);
