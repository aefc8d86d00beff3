/**
 * How soon the event bus resumes after Redis or PostgreSQL comes back: the time from the
 * moment the server answers again to the moment an event committed during the outage has
 * been published, consumed and applied. The relay and the consumer run with the services'
 * defaults (poll every second, Redis reconnecting within a second); each outage lasts 12 s;
 * 5 runs each.
 *
 * - Redis: a Redis of the benchmark's own is killed and started again, empty.
 * - PostgreSQL: the shared server stays up; a proxy between it and the relay and consumer is
 *   cut and restored. One event waits in the outbox for the relay, another is already in
 *   the stream (the consumer meets the outage applying it); the time is until both apply.
 *
 * Then how long the relay takes to publish again 10,000 events that Redis lost before any
 * consumer group had acknowledged them.
 *
 *     npm run bench -w @baedal/event-bus
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Prisma, PrismaClient } from '@baedal/prisma/fixture';
import { createTestDatabase } from '@baedal/prisma/testing';
import { PrismaPg } from '@prisma/adapter-pg';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { defineEvent, EventConsumer, type Logger, Outbox, on, publishEvent } from '../src/index.js';
import { cuttableProxy, startRedisServer } from '../src/test-servers.js';

type Tx = Prisma.TransactionClient;
const runs = 5;
const outageMs = 12_000;
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const noteWritten = defineEvent({
  producer: 'bench',
  type: 'bench.note.written',
  version: 1,
  payload: z.object({ noteId: z.string() }),
  correlate: (payload) => payload.noteId,
});
const actor = { role: 'SYSTEM', id: null } as const;

await using database = await createTestDatabase('fixture');
const direct = client(database.url);

/** The relay and consumer of a subgraph, on `db` and `redisUrl`, as a service runs them. */
async function bus(db: PrismaClient, redisUrl: string) {
  const redis = new Redis(redisUrl, {
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  redis.on('error', () => {});
  const outbox = new Outbox<Tx>(db, { redis, stream: 'bench:events:bench', logger: quiet });
  const consumer = new EventConsumer<Tx>({
    redis,
    prefix: 'bench',
    group: 'notes',
    consumer: 'bench',
    database: outbox,
    logger: quiet,
    subscriptions: [
      on(noteWritten, async (event, tx) => {
        await tx.$executeRaw`INSERT INTO note (id) VALUES (${event.payload.noteId})`;
      }),
    ],
  });
  outbox.start();
  await consumer.start();
  return {
    /** Publishes straight to the stream, as if the relay had done it before the outage. */
    publish: (noteId: string) =>
      publishEvent(redis, 'bench', noteWritten.create({ noteId }, { actor })),
    commit: (noteId: string) =>
      direct.$transaction((tx) => outbox.append(tx, [noteWritten.create({ noteId }, { actor })])),
    async [Symbol.asyncDispose]() {
      await consumer[Symbol.asyncDispose]();
      await outbox[Symbol.asyncDispose]();
      redis.disconnect();
    },
  };
}

/** Milliseconds from now until the note is applied. */
async function untilApplied(noteId: string): Promise<number> {
  const start = performance.now();
  while (!(await direct.note.findUnique({ where: { id: noteId } }))) await sleep(10);
  return performance.now() - start;
}

const redisMs: number[] = [];
{
  await using server = await startRedisServer();
  await using events = await bus(direct, server.url);
  for (let run = 0; run < runs; run++) {
    await server.kill();
    await events.commit(`redis-${run}`);
    await sleep(outageMs);
    await server.restart();
    redisMs.push(await untilApplied(`redis-${run}`));
  }
}

const postgresMs: number[] = [];
{
  const url = new URL(database.url);
  await using proxy = await cuttableProxy(url.hostname, Number(url.port));
  url.host = `127.0.0.1:${proxy.port}`;
  const proxied = client(url.toString());
  await using server = await startRedisServer();
  await using events = await bus(proxied, server.url);
  for (let run = 0; run < runs; run++) {
    proxy.cut();
    await events.commit(`postgres-${run}`);
    await events.publish(`postgres-stream-${run}`);
    await sleep(outageMs);
    proxy.restore();
    const [relayed, consumed] = await Promise.all([
      untilApplied(`postgres-${run}`),
      untilApplied(`postgres-stream-${run}`),
    ]);
    postgresMs.push(Math.max(relayed, consumed));
  }
  await proxied.$disconnect();
}
const republished = 10_000;
let republishMs = 0;
{
  await using server = await startRedisServer();
  const redis = new Redis(server.url);
  redis.on('error', () => {});
  const stream = 'bench:events:republish';
  // One outbox per database, as in a subgraph: forget the runs above.
  await direct.$executeRaw`TRUNCATE outbox_event, outbox_stream, outbox_consumer_group`;
  const outbox = new Outbox<Tx>(direct, { redis, stream, logger: quiet });
  await redis.xgroup('CREATE', stream, 'notes', '0', 'MKSTREAM');
  for (let batch = 0; batch < republished / 500; batch++) {
    await direct.$transaction((tx) =>
      outbox.append(
        tx,
        Array.from({ length: 500 }, (_, i) =>
          noteWritten.create({ noteId: `republish-${batch}-${i}` }, { actor }),
        ),
      ),
    );
  }
  await outbox.publishPending();
  await outbox.maintain();
  await redis.del(stream);
  const start = performance.now();
  await outbox.publishPending();
  republishMs = performance.now() - start;
  if ((await redis.xlen(stream)) !== republished)
    throw new Error('Not every lost event was published again.');
  redis.disconnect();
}
await direct.$disconnect();

const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: Math.round(sorted[Math.floor(sorted.length / 2)]!),
    max: Math.round(sorted.at(-1)!),
  };
};
console.log(
  `Resuming after an outage of ${outageMs} ms: from the server answering to the event applied (ms, ${runs} runs)`,
);
console.table({
  'Redis restarted empty': summary(redisMs),
  'PostgreSQL back': summary(postgresMs),
});
console.log(
  `Publishing again ${republished} events Redis lost: ${(republishMs / 1000).toFixed(1)} s (${Math.round(republished / (republishMs / 1000))} events/s)`,
);

function client(url: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
}
