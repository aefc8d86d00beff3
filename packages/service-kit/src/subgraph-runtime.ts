import { hostname } from 'node:os';
import {
  EventConsumer,
  eventStream,
  Outbox,
  type SqlClient,
  type Subscription,
  type TransactionalClient,
} from '@baedal/event-bus';
import { IdentityVerifier, type Viewer } from '@baedal/identity';
import { startTracing } from '@baedal/telemetry';
import type express from 'express';
import type { GraphQLSchema } from 'graphql';
import { Redis } from 'ioredis';
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';
import type { BackgroundJob } from './background-job.js';
import type { ConfigOf, subgraphVariables } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { redisRetryStrategy } from './redis.js';
import { Resources } from './resources.js';
import type { RunningService } from './run-service.js';
import { startSubgraphServer } from './subgraph-server.js';

export type SubgraphConfig = ConfigOf<ReturnType<typeof subgraphVariables>>;

/** A Prisma client, as far as the runtime needs one. */
export interface Database<Tx extends SqlClient> extends TransactionalClient<Tx> {
  $disconnect(): Promise<void>;
  /** Prisma's query events; the client must be made with `statementEvents`. */
  $on(event: 'query', listener: () => void): unknown;
}

/**
 * Prisma client options that report every SQL statement the client sends as a query event
 * (a transaction's `COMMIT` or `ROLLBACK` among them, its `BEGIN` not), which the runtime
 * counts in `baedal_<subgraph>_db_statements_total`.
 */
export const statementEvents: { log: [{ level: 'query'; emit: 'event' }] } = {
  log: [{ level: 'query', emit: 'event' }],
};

/** What the runtime opened for a subgraph, handed to its wiring. */
export interface SubgraphDependencies<Tx extends SqlClient> {
  readonly outbox: Outbox<Tx>;
  readonly logger: Logger;
}

/** What each of a subgraph's resolvers gets: who is asking, and this request's loaders. */
export interface SubgraphContext<Loaders> {
  readonly viewer: Viewer | null;
  readonly loaders: Loaders;
}

/** What a subgraph's wiring returns: its schema, loaders, event handlers, jobs and seed. */
export interface SubgraphParts<Loaders, Tx> {
  readonly schema: GraphQLSchema;
  /** A fresh set of loaders, made for every request. */
  readonly loaders: () => Loaders;
  readonly subscriptions: readonly Subscription<Tx>[];
  /** Loads demo data when `SEED_DEMO_DATA` is set; must be idempotent. */
  readonly seed?: () => Promise<void>;
  readonly routes?: (app: express.Express) => void;
  /** Background work, started after the event consumer and stopped before it. */
  readonly jobs?: readonly BackgroundJob[];
  /** Closes what the wiring itself opened (clients of other services); called on shutdown. */
  readonly dispose?: () => void;
}

/**
 * Starts a subgraph: opens its database and Redis connections, checks both answer, starts
 * its outbox relay, seeds demo data if asked, starts its event consumer, its background jobs
 * and finally its HTTP server (with the event bus's metrics at `/metrics`). Disposal runs in
 * reverse: stop taking requests, stop the jobs, stop consuming, stop relaying, close
 * connections. If any step fails, whatever was opened is closed again.
 */
export async function startSubgraph<Tx extends SqlClient, Loaders>(
  name: string,
  config: SubgraphConfig,
  db: Database<Tx>,
  wire: (dependencies: SubgraphDependencies<Tx>) => SubgraphParts<Loaders, Tx>,
): Promise<RunningService> {
  const resources = new Resources();
  try {
    const logger = createLogger(name, { level: config.logLevel, format: config.logFormat });
    // Disposed last: the spans of the shutdown are exported too.
    const tracing = await startTracing(name, config.otlpEndpoint);
    if (tracing) resources.use(tracing);
    resources.use(() => db.$disconnect());
    await db.$queryRaw`SELECT 1`.then(undefined, (error: unknown) => {
      throw new Error(
        `PostgreSQL at ${redact(config.databaseUrl)} did not answer: ${describe(error)}`,
      );
    });

    const redis = new Redis(config.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      retryStrategy: redisRetryStrategy,
    });
    resources.use(() => redis.quit());
    await redis.connect().catch((error: unknown) => {
      throw new Error(`Redis at ${config.redisUrl} did not answer: ${describe(error)}`);
    });
    watchConnection(redis, logger);

    const metrics = new Registry();
    collectDefaultMetrics({ register: metrics, prefix: `baedal_${name}_` });
    const statements = new Counter({
      name: `baedal_${name}_db_statements_total`,
      help: "SQL statements sent to the database (a transaction's BEGIN not counted).",
      registers: [metrics],
    });
    db.$on('query', () => statements.inc());
    const outbox = new Outbox<Tx>(db, {
      redis,
      stream: eventStream(config.eventStreamPrefix, name),
      logger,
      metrics,
    });
    outbox.start();
    resources.use(outbox);

    // Only the router's assertions, and only those meant for this subgraph, open `/graphql`.
    const identity = new IdentityVerifier({
      issuer: 'router',
      audience: name,
      keys: config.routerPublicKeys,
    });
    const parts = wire({ outbox, logger });
    if (parts.dispose) resources.use(parts.dispose);
    if (config.seedDemoData) await parts.seed?.();

    if (parts.subscriptions.length > 0) {
      const consumer = new EventConsumer<Tx>({
        redis,
        prefix: config.eventStreamPrefix,
        group: name,
        // Stable per replica, and distinct for replicas side by side on one host.
        consumer: config.eventConsumerName ?? `${hostname()}:${config.port}`,
        database: outbox,
        subscriptions: parts.subscriptions,
        logger,
        metrics,
      });
      await consumer.start();
      resources.use(consumer);
    }

    for (const job of parts.jobs ?? []) {
      job.start();
      resources.use(job);
    }

    const server = await startSubgraphServer({
      name,
      schema: parts.schema,
      port: config.port,
      host: config.host,
      identity,
      context: (caller): SubgraphContext<Loaders> => ({
        viewer: caller.viewer,
        loaders: parts.loaders(),
      }),
      logger,
      metrics,
      ready: async () => {
        await Promise.all([db.$queryRaw`SELECT 1`, redis.ping()]);
      },
      ...(parts.routes && { routes: parts.routes }),
    });
    resources.use(server);
    return { url: server.url, [Symbol.asyncDispose]: () => resources[Symbol.asyncDispose]() };
  } catch (error) {
    await resources[Symbol.asyncDispose]().catch(() => {});
    throw error;
  }
}

/**
 * Logs a Redis connection's outages once each (lost, then back), not every failed attempt;
 * the listener also keeps ioredis from reporting an unhandled error event.
 */
function watchConnection(redis: Redis, logger: Logger): void {
  let lost = false;
  redis.on('error', (error) => {
    if (!lost) logger.warn({ err: error }, 'redis connection lost; reconnecting');
    lost = true;
  });
  redis.on('ready', () => {
    if (lost) logger.info('redis connection back');
    lost = false;
  });
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  return cause ?? (error instanceof Error ? error.message : String(error));
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
