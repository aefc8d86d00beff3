import { availableParallelism } from 'node:os';
import { defaultMaxTokenLifetimeSeconds } from '@baedal/identity';
import { subgraphs } from '@baedal/schema';
import {
  type ConfigOf,
  developmentSecrets,
  flag,
  loadConfig,
  milliseconds,
  port,
  privateKeyVariable,
  secretVariable,
  serviceVariables,
  url,
  variable,
} from '@baedal/service-kit';
import { z } from 'zod';

const corsOrigins = z
  .string({ error: 'must be set in production' })
  .transform((text) => text.split(',').map((origin) => origin.trim()))
  .refine(
    (origins) => origins.every((origin) => origin === '*' || isOrigin(origin)),
    'must be `*` or origins such as https://app.example.com, comma-separated',
  )
  .transform((origins) => (origins.includes('*') ? '*' : origins));

function isOrigin(text: string): boolean {
  try {
    return new URL(text).origin === text;
  } catch {
    return false;
  }
}

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const subgraphUrl = (name: keyof typeof subgraphs) =>
  variable(`${name.toUpperCase()}_URL`, url(`http://127.0.0.1:${subgraphs[name]}/graphql`));

/** What people's bearer tokens are verified with; `npm run token` mints with the same. */
export const tokenVariables = {
  jwtSecret: secretVariable('JWT_SECRET', developmentSecrets.jwt),
  /** The longest a bearer token may live (`exp - iat`); longer ones are refused. */
  tokenMaxLifetimeSeconds: variable(
    'TOKEN_MAX_LIFETIME_SECONDS',
    z.coerce.number().int().positive().default(defaultMaxTokenLifetimeSeconds),
  ),
};

/** A number of processes, or `auto`: one per core this process may run on. */
const workerCount = z
  .union([z.literal('auto'), z.coerce.number().int().positive().max(64)], {
    error: 'must be a number of processes (1 to 64) or `auto`',
  })
  .default(1)
  .transform((value) => (value === 'auto' ? availableParallelism() : value));

const variables = {
  ...serviceVariables(4000),
  /**
   * Router processes serving the same port (node:cluster), each with its own live feed; the
   * first process only starts them, restarts any that dies, and serves their metrics
   * together. Default 1 (no cluster); the image sets `auto`.
   */
  workers: variable('ROUTER_WORKERS', workerCount),
  ...tokenVariables,
  /** Signs the identity assertions subgraphs accept; only the router holds it. */
  routerPrivateKey: privateKeyVariable('ROUTER_PRIVATE_KEY', developmentSecrets.routerPrivateKey),
  orderUrl: subgraphUrl('order'),
  paymentUrl: subgraphUrl('payment'),
  kitchenUrl: subgraphUrl('kitchen'),
  deliveryUrl: subgraphUrl('delivery'),
  /** Ping interval of subscription sockets; a client silent for as long is disconnected. */
  liveKeepAliveMs: variable('LIVE_KEEP_ALIVE_MS', milliseconds(12_000)),
  /** Results queued for a subscriber that does not read, before it is disconnected. */
  liveMaxQueuedResults: variable('LIVE_MAX_QUEUED_RESULTS', count(100)),
  /** How long shutdown waits for live payloads under way before closing sockets. */
  liveDrainTimeoutMs: variable('LIVE_DRAIN_TIMEOUT_MS', milliseconds(5000)),
  /** Subscription sockets this replica holds at most, everyone's together. */
  liveMaxConnections: variable('LIVE_MAX_CONNECTIONS', count(10_000)),
  /** Subscription sockets one person holds at most (devices, tabs). */
  liveMaxConnectionsPerPerson: variable('LIVE_MAX_CONNECTIONS_PER_PERSON', count(10)),
  /** Subscriptions (and operations sent over the socket) one person runs at once. */
  liveMaxSubscriptionsPerPerson: variable('LIVE_MAX_SUBSCRIPTIONS_PER_PERSON', count(50)),
  /** New subscriptions one person may start in a minute; more are refused (`RATE_LIMITED`). */
  liveMaxNewSubscriptionsPerMinute: variable('LIVE_MAX_NEW_SUBSCRIPTIONS_PER_MINUTE', count(60)),
  /**
   * Origins allowed to call the API from a browser: comma-separated origins
   * (`https://app.example.com`), or `*` for any. Any by default, but it must be set in
   * production.
   */
  corsOrigins: variable('CORS_ORIGINS', corsOrigins.default('*'), corsOrigins),
  /** Port of `GET /metrics` (Prometheus), kept off the public API's port. */
  metricsPort: variable('METRICS_PORT', port(9464)),
  /**
   * Serve the playground at `/graphql` and answer introspection, which its docs and
   * completion need. Default: on, except with `NODE_ENV=production`.
   */
  playground: variable('PLAYGROUND', flag(process.env.NODE_ENV !== 'production')),
};

export type RouterConfig = ConfigOf<typeof variables>;

export const loadRouterConfig = (env: NodeJS.ProcessEnv = process.env): RouterConfig =>
  loadConfig(variables, env);
