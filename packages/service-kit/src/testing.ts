import { deleteKeys, randomPrefix, redisUrl } from '@baedal/event-bus/testing';
import { IdentityAsserter, identityHeader, parsePrivateKey, type Viewer } from '@baedal/identity';
import type { SchemaName } from '@baedal/prisma';
import { createTestDatabase } from '@baedal/prisma/testing';
import { Redis } from 'ioredis';
import { developmentSecrets } from './config.js';
import type { RunningService } from './run-service.js';

export { eventually } from '@baedal/event-bus/testing';

/** Environment for a subgraph under test: its database, a fresh stream prefix, any free port. */
function testEnvironment(databaseUrl: string, prefix: string): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: databaseUrl,
    EVENT_STREAM_PREFIX: prefix,
    EVENT_CONSUMER_NAME: 'test',
    PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    REDIS_URL: redisUrl,
  };
}

export interface GraphQLResponse<Data = Record<string, unknown>> {
  readonly data?: Data | null;
  readonly errors?: {
    message: string;
    path?: (string | number)[];
    extensions?: Record<string, unknown>;
  }[];
}

/**
 * Sends GraphQL requests to a subgraph as the router would: with an identity assertion
 * for `viewer`, signed with the development router key for `subgraph` (none at all when
 * `viewer` is `'no-assertion'`).
 */
function subgraphClient(url: string, subgraph: string) {
  const router = new IdentityAsserter({
    issuer: 'router',
    audience: subgraph,
    key: parsePrivateKey(developmentSecrets.routerPrivateKey),
  });
  return async <Data = Record<string, unknown>>(
    viewer: Viewer | null | 'no-assertion',
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<Data>> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (viewer !== 'no-assertion') headers[identityHeader] = await router.assert(viewer);
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<Data>;
  };
}

/**
 * Signs identity assertions as `issuer` (the router, or the order subgraph calling an internal
 * endpoint) for `audience`, with the issuer's development key, as the stack started by the
 * tests does; `key` (a base64 private key) signs with another key instead, to test refusals.
 */
export function assertionsAs(issuer: 'router' | 'order', audience: string, key?: string) {
  const developmentKey =
    issuer === 'router' ? developmentSecrets.routerPrivateKey : developmentSecrets.orderPrivateKey;
  return new IdentityAsserter({ issuer, audience, key: parsePrivateKey(key ?? developmentKey) });
}

/** The `extensions.code` of each error of a response. */
export const errorCodes = (response: GraphQLResponse<unknown>) =>
  (response.errors ?? []).map((error) => error.extensions?.code);

/** A subgraph started for a test file, with what its tests need to drive and inspect it. */
export interface SubgraphUnderTest<Db> extends AsyncDisposable {
  readonly url: string;
  /** GraphQL requests as the router would send them (see `subgraphClient`). */
  readonly call: ReturnType<typeof subgraphClient>;
  /** A client of the subgraph's own database, to check what was stored. */
  readonly db: Db;
  /** A Redis connection, to publish other subgraphs' events and read the streams. */
  readonly redis: Redis;
  readonly prefix: string;
  readonly databaseUrl: string;
}

/**
 * Starts a subgraph on a fresh database (every migration applied) and a Redis key prefix of
 * its own. Disposing stops it, drops the database and deletes the prefix's keys, so that a
 * failed test leaves nothing behind.
 */
export async function startSubgraphForTest<Db extends { $disconnect(): Promise<unknown> }>(
  schema: SchemaName,
  start: (env: NodeJS.ProcessEnv) => Promise<RunningService>,
  connect: (databaseUrl: string) => Db,
  options: { prefix?: string } = {},
): Promise<SubgraphUnderTest<Db>> {
  const prefix = options.prefix ?? randomPrefix();
  const database = await createTestDatabase(schema);
  const redis = new Redis(redisUrl);
  const db = connect(database.url);
  const service = await start(testEnvironment(database.url, prefix)).catch(async (error) => {
    await Promise.all([db.$disconnect(), redis.quit(), database[Symbol.asyncDispose]()]);
    throw error;
  });
  return {
    url: service.url,
    call: subgraphClient(service.url, schema),
    db,
    redis,
    prefix,
    databaseUrl: database.url,
    async [Symbol.asyncDispose]() {
      await service[Symbol.asyncDispose]();
      await db.$disconnect();
      await deleteKeys(redis, prefix);
      await redis.quit();
      await database[Symbol.asyncDispose]();
    },
  };
}
