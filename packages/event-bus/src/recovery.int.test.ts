import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  applyNote,
  cuttableProxy,
  eventually,
  noteEvent,
  prismaClient,
  recordingLogger,
  startRedisServer,
  type Tx,
} from '../test/fixture.js';
import { busHarness } from '../test/harness.js';
import { EventConsumer, Outbox, publishEvent } from './index.js';

/*
 * Redis and PostgreSQL going away and coming back, with real servers: a Redis of the test's
 * own that it kills and restarts empty, and the shared PostgreSQL behind a proxy it cuts.
 */

const bus = busHarness();
let consoleErrors: MockInstance<typeof console.error>;

beforeEach(() => {
  consoleErrors = vi.spyOn(console, 'error');
});

afterEach(() => {
  // ioredis reports an `error` event nobody listens to on the console: there must be none.
  const unhandled = consoleErrors.mock.calls.filter((call) =>
    String(call[0]).includes('Unhandled error event'),
  );
  consoleErrors.mockRestore();
  expect(unhandled).toEqual([]);
});

/** A Redis connection configured as the services configure theirs. */
function serviceConnection(url: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  redis.on('error', () => {});
  bus.cleanup(async () => redis.disconnect());
  return redis;
}

function relayAndConsumer(options: {
  redis: Redis;
  db: ReturnType<typeof prismaClient>;
  prefix: string;
  logger: ReturnType<typeof recordingLogger>;
}) {
  const { redis, db, prefix, logger } = options;
  const outbox = new Outbox<Tx>(db, {
    redis,
    stream: `${prefix}:events:fixture`,
    logger,
    pollIntervalMs: 50,
    maintenanceIntervalMs: 100,
  });
  const consumer = new EventConsumer<Tx>({
    redis,
    prefix,
    group: 'notes',
    consumer: 'consumer-a',
    database: outbox,
    subscriptions: [applyNote],
    logger,
    blockMs: 100,
    retryAfterMs: 200,
  });
  bus.cleanup(() => outbox[Symbol.asyncDispose]());
  bus.cleanup(() => consumer[Symbol.asyncDispose]());
  return { outbox, consumer };
}

describe('when Redis goes away', () => {
  it('resumes, and applies every event once, after Redis comes back empty', async () => {
    const server = await startRedisServer();
    // Cleanups run last first: the relay and the consumer stop while their Redis still runs.
    bus.cleanup(async () => await server[Symbol.asyncDispose]());
    const redis = serviceConnection(server.url);
    const logger = recordingLogger();
    const prefix = 'recovery';
    const { outbox, consumer } = relayAndConsumer({ redis, db: bus.db, prefix, logger });
    outbox.start();
    await consumer.start();
    const commit = (ids: string[]) =>
      outbox.transaction((tx) =>
        outbox.append(
          tx,
          ids.map((id) => noteEvent(id)),
        ),
      );

    await commit(['before-1', 'before-2']);
    await eventually(async () =>
      expect(await bus.applications()).toEqual({ 'before-1': 1, 'before-2': 1 }),
    );
    await server.kill();
    await commit(['while-down']);
    await eventually(() =>
      expect(logger.lines.map((line) => line.message)).toContain('outbox relay failed; retrying'),
    );
    await server.restart();
    await commit(['after']);

    await eventually(async () =>
      expect(await bus.applications()).toEqual({
        'before-1': 1,
        'before-2': 1,
        'while-down': 1,
        after: 1,
      }),
    );
    await eventually(() =>
      expect(logger.lines.map((line) => line.message)).toEqual(
        expect.arrayContaining(['outbox relay resumed', 'event consumer resumed']),
      ),
    );
  });
});

describe('when PostgreSQL goes away', () => {
  it('resumes relaying and consuming once PostgreSQL answers again, and dead-letters nothing', async () => {
    const { hostname, port } = new URL(bus.databaseUrl);
    await using proxy = await cuttableProxy(hostname, Number(port));
    const proxied = new URL(bus.databaseUrl);
    proxied.host = `127.0.0.1:${proxy.port}`;
    const db = prismaClient(proxied.toString());
    bus.cleanup(() => db.$disconnect());
    const logger = recordingLogger();
    // Commits that do not go through the proxy, as if another replica made them.
    const { outbox: direct, prefix } = bus.newOutbox();
    const { outbox, consumer } = relayAndConsumer({ redis: bus.redis, db, prefix, logger });
    outbox.start();
    await consumer.start();
    const commit = (id: string) => direct.transaction((tx) => direct.append(tx, [noteEvent(id)]));

    await commit('before');
    await eventually(async () => expect(await bus.applications()).toEqual({ before: 1 }));
    proxy.cut();
    await commit('relayed-later');
    await publishEvent(bus.redis, prefix, noteEvent('consumed-later'));
    await eventually(() =>
      expect(logger.lines.map((line) => line.message)).toEqual(
        expect.arrayContaining([
          'outbox relay failed; retrying',
          'database unreachable; pausing event consumption',
        ]),
      ),
    );
    proxy.restore();

    await eventually(async () =>
      expect(await bus.applications()).toEqual({
        before: 1,
        'relayed-later': 1,
        'consumed-later': 1,
      }),
    );
    expect(await bus.deadLetters()).toEqual([]);
    await eventually(() =>
      expect(logger.lines.map((line) => line.message)).toEqual(
        expect.arrayContaining([
          'outbox relay resumed',
          'database reachable again; resuming event consumption',
        ]),
      ),
    );
  });
});
