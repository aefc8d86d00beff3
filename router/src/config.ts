import { subgraphs } from '@baedal/schema';
import {
  type ConfigOf,
  developmentSecrets,
  loadConfig,
  milliseconds,
  port,
  secret,
  url,
  variable,
} from '@baedal/service-kit';
import { z } from 'zod';

const subgraphUrl = (name: keyof typeof subgraphs) =>
  variable(`${name.toUpperCase()}_URL`, url(`http://127.0.0.1:${subgraphs[name]}/graphql`));

const variables = {
  port: variable('PORT', port(4000)),
  host: variable('HOST', z.string().default('127.0.0.1')),
  /** Verifies people's bearer tokens. */
  jwtSecret: variable('JWT_SECRET', secret(developmentSecrets.jwt)),
  /** Signs the identity assertions subgraphs accept. */
  internalJwtSecret: variable('INTERNAL_JWT_SECRET', secret(developmentSecrets.internalJwt)),
  orderUrl: subgraphUrl('order'),
  paymentUrl: subgraphUrl('payment'),
  kitchenUrl: subgraphUrl('kitchen'),
  deliveryUrl: subgraphUrl('delivery'),
  /** Where the subgraphs' event streams are, for subscriptions. */
  redisUrl: variable('REDIS_URL', url('redis://127.0.0.1:6379')),
  eventStreamPrefix: variable('EVENT_STREAM_PREFIX', z.string().min(1).default('baedal')),
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
  logLevel: variable(
    'LOG_LEVEL',
    z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  ),
  logFormat: variable('LOG_FORMAT', z.enum(['json', 'pretty']).default('json')),
};

export type RouterConfig = ConfigOf<typeof variables>;

export const loadRouterConfig = (env: NodeJS.ProcessEnv = process.env): RouterConfig =>
  loadConfig(variables, env);
