import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import {
  applyNote,
  cuttableProxy,
  eventually,
  noteEvent,
  noteWritten,
  prismaClient,
  recordingLogger,
  startRedisServer,
  type Tx,
} from '../test/fixture.js';
import { busHarness } from '../test/harness.js';
import {
  type ConsumerOptions,
  EventConsumer,
  eventStream,
  Outbox,
  on,
  publishEvent,
} from './index.js';

/*
 * Redis and PostgreSQL going away (and coming back, or not), with real servers: a Redis of
 * the test's own that it kills and restarts, and the shared PostgreSQL behind a proxy it cuts.
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
  consumer?: Partial<ConsumerOptions<Tx>>;
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
    ...options.consumer,
  });
  bus.cleanup(() => outbox[Symbol.asyncDispose]());
  bus.cleanup(() => consumer[Symbol.asyncDispose]());
  return { outbox, consumer };
}

describe('when Redis goes away', () => {
  it('resumes, and applies every event once, after Redis comes back empty', async () => {
    // Killed at the end of the test, before the relay and the consumer stop (in cleanup).
    await using server = await startRedisServer();
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

describe('when Redis dies for good', () => {
  it('stops the consumer blocked in a read, and the relay, once their Redis is gone', async () => {
    const server = await startRedisServer();
    bus.cleanup(async () => await server[Symbol.asyncDispose]());
    const redis = serviceConnection(server.url);
    const prefix = 'dead-while-reading';
    const { outbox, consumer } = relayAndConsumer({
      redis,
      db: bus.db,
      prefix,
      logger: recordingLogger(),
      // One long read at a time, so that the kill finds the consumer in it.
      consumer: { blockMs: 60_000 },
    });
    outbox.start();
    await consumer.start();
    await outbox.transaction((tx) => outbox.append(tx, [noteEvent('before')]));
    await eventually(async () => expect(await bus.applications()).toEqual({ before: 1 }));
    await untilAReadBlocks(server.url);

    await server.kill();
    await outbox.transaction((tx) => outbox.append(tx, [noteEvent('while-down')]));
    // The bound is the test's timeout: before the fix, this waited forever on the read.
    await consumer[Symbol.asyncDispose]();
    await outbox[Symbol.asyncDispose]();

    expect(await outbox.unpublishedCount()).toBe(1);
  });

  it('stops while its Redis is down with an event in hand and events to publish, and loses none of them', async () => {
    const server = await startRedisServer({ appendOnly: true });
    bus.cleanup(async () => await server[Symbol.asyncDispose]());
    // Every write on disk before Redis answers: what the kill loses is then the bus's doing.
    await withConnection(server.url, (admin) => admin.config('SET', 'appendfsync', 'always'));
    const redis = serviceConnection(server.url);
    const logger = recordingLogger();
    const prefix = 'dead-while-applying';
    const stream = eventStream(prefix, 'fixture');
    const held = heldHandler('held');
    const { outbox, consumer } = relayAndConsumer({
      redis,
      db: bus.db,
      prefix,
      logger,
      consumer: { subscriptions: [held.subscription] },
    });
    outbox.start();
    await consumer.start();
    await outbox.transaction((tx) => outbox.append(tx, [noteEvent('held')]));
    await held.entered;

    await server.kill();
    await outbox.transaction((tx) => outbox.append(tx, [noteEvent('unpublished')]));
    await eventually(() =>
      expect(logger.lines.map((line) => line.message)).toEqual(
        expect.arrayContaining([
          'outbox relay failed; retrying',
          'event consumer cannot read; retrying',
        ]),
      ),
    );
    // Stopping drains the event in hand: the handler finishes and commits, its XACK cannot.
    const consumerStopped = consumer[Symbol.asyncDispose]();
    held.release();
    await consumerStopped;
    await outbox[Symbol.asyncDispose]();
    await redis.quit().catch(() => {});

    expect(await bus.applications()).toEqual({ held: 1 });
    expect(await outbox.unpublishedCount()).toBe(1);
    await server.start();
    await withConnection(server.url, async (admin) =>
      expect(await admin.xpending(stream, 'notes')).toEqual([
        1,
        expect.any(String),
        expect.any(String),
        [['consumer-a', '1']],
      ]),
    );

    // A replica started afterwards publishes the rest, and finds the held event already applied.
    const next = relayAndConsumer({
      redis: serviceConnection(server.url),
      db: bus.db,
      prefix,
      logger: recordingLogger(),
    });
    next.outbox.start();
    await next.consumer.start();
    await eventually(async () => {
      expect(await bus.applications()).toEqual({ held: 1, unpublished: 1 });
      expect(await next.outbox.unpublishedCount()).toBe(0);
      await withConnection(server.url, async (admin) =>
        expect((await admin.xpending(stream, 'notes'))[0]).toBe(0),
      );
    });
  });
});

/** Resolves once some client of the Redis at `url` is blocked in a command (XREADGROUP BLOCK). */
async function untilAReadBlocks(url: string): Promise<void> {
  await withConnection(url, (admin) =>
    eventually(async () =>
      expect(String(await admin.client('LIST'))).toMatch(/flags=b .*cmd=xreadgroup/),
    ),
  );
}

async function withConnection<T>(url: string, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

/** Applies notes, but holds the one named `noteId` mid-way until released. */
function heldHandler(noteId: string) {
  let entered: () => void = () => {};
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    entered: new Promise<void>((resolve) => {
      entered = resolve;
    }),
    release: () => release(),
    subscription: on<Tx, { noteId: string }>(noteWritten, async (event, tx) => {
      if (event.payload.noteId === noteId) {
        entered();
        await released;
      }
      await applyNote.handle(event, tx);
    }),
  };
}
