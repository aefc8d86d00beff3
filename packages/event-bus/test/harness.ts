import { createTestDatabase, type TestDatabase } from '@baedal/prisma/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  type ConsumerOptions,
  type DeadLetter,
  EventConsumer,
  type EventEnvelope,
  eventStream,
  listDeadLetters,
  Outbox,
  type OutboxOptions,
  replyRecord,
} from '../src/index.js';
import {
  applyNote,
  deleteKeys,
  prismaClient,
  quietLogger,
  randomPrefix,
  redisUrl,
  type Tx,
} from './fixture.js';

type Db = ReturnType<typeof prismaClient>;

/**
 * What a test file of the event bus shares: a fresh fixture database, a Redis connection,
 * and makers of outboxes and consumers that are disposed (with their keys) after each test.
 * Call it once at the top of a test file; it registers its own hooks.
 */
export function busHarness() {
  let database: TestDatabase;
  const cleanups: (() => Promise<unknown>)[] = [];
  const harness = {
    db: undefined as unknown as Db,
    redis: undefined as unknown as Redis,
    get databaseUrl() {
      return database.url;
    },

    /** Runs `cleanup` after the current test (last registered, first run). */
    cleanup(cleanup: () => Promise<unknown>) {
      cleanups.push(cleanup);
    },

    /** An outbox publishing to the `fixture` stream of a fresh prefix (or of `prefix`). */
    newOutbox(options: Partial<OutboxOptions> & { prefix?: string; db?: Db } = {}): {
      outbox: Outbox<Tx>;
      prefix: string;
      stream: string;
    } {
      const { prefix = randomPrefix(), db = harness.db, ...rest } = options;
      const stream = eventStream(prefix, 'fixture');
      const outbox = new Outbox<Tx>(db, {
        redis: harness.redis,
        stream,
        logger: quietLogger,
        pollIntervalMs: 50,
        ...rest,
      });
      cleanups.push(
        () => deleteKeys(harness.redis, prefix),
        () => outbox[Symbol.asyncDispose](),
      );
      return { outbox, prefix, stream };
    },

    /** A consumer in group `notes` applying notes, named `consumer-a` unless told otherwise. */
    newConsumer(
      prefix: string,
      outbox: Outbox<Tx>,
      options: Partial<ConsumerOptions<Tx>> = {},
    ): EventConsumer<Tx> {
      const consumer = new EventConsumer<Tx>({
        redis: harness.redis,
        prefix,
        group: 'notes',
        consumer: 'consumer-a',
        database: outbox,
        subscriptions: [applyNote],
        logger: quietLogger,
        blockMs: 100,
        retryAfterMs: 200,
        ...options,
      });
      cleanups.push(() => consumer[Symbol.asyncDispose]());
      return consumer;
    },

    /** Commits events to the outbox and publishes them at once. */
    async publish(outbox: Outbox<Tx>, events: readonly EventEnvelope[]) {
      await outbox.transaction((tx) => outbox.append(tx, events));
      await outbox.publishPending();
    },

    /** How often each note was applied. */
    async applications(): Promise<Record<string, number>> {
      const notes = await harness.db.note.findMany();
      return Object.fromEntries(notes.map((note) => [note.id, note.applications]));
    },

    async pendingCount(stream: string, group = 'notes'): Promise<number> {
      const [count] = (await harness.redis.xpending(stream, group)) as [number];
      return count;
    },

    /** Whether the group has been handed every entry of the stream and acknowledged them all. */
    async drained(stream: string, group = 'notes'): Promise<boolean> {
      const groups = ((await harness.redis.xinfo('GROUPS', stream)) as unknown[][]).map(
        replyRecord,
      );
      const info = groups.find((candidate) => candidate.name === group);
      return info?.pending === 0 && info.lag === 0;
    },

    deadLetters(): Promise<DeadLetter[]> {
      return listDeadLetters(harness.db);
    },
  };

  beforeAll(async () => {
    database = await createTestDatabase('fixture');
    harness.db = prismaClient(database.url);
    harness.redis = new Redis(redisUrl);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await harness.db.$executeRaw`
      TRUNCATE note, outbox_event, outbox_stream, outbox_consumer_group, processed_event, dead_letter`;
  });

  afterAll(async () => {
    await harness.db.$disconnect();
    harness.redis.disconnect();
    await database[Symbol.asyncDispose]();
  });

  return harness;
}
