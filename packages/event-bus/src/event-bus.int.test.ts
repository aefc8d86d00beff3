import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createTestDatabase, type TestDatabase } from '@baedal/prisma/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  applyNote,
  deleteKeys,
  eventually,
  noteEvent,
  noteWritten,
  prismaClient,
  quietLogger,
  randomPrefix,
  redisUrl,
  type Tx,
} from '../test/fixture.js';
import {
  deadLetterStream,
  EventConsumer,
  type EventEnvelope,
  eventStream,
  Outbox,
  on,
} from './index.js';

let database: TestDatabase;
let db: ReturnType<typeof prismaClient>;
let redis: Redis;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  database = await createTestDatabase('fixture');
  db = prismaClient(database.url);
  redis = new Redis(redisUrl);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await db.$executeRaw`TRUNCATE note, outbox_event, processed_event`;
});

afterAll(async () => {
  await db.$disconnect();
  redis.disconnect();
  await database[Symbol.asyncDispose]();
});

/** An outbox publishing to a fresh stream prefix; disposed after the test. */
function newOutbox(prefix = randomPrefix()) {
  const outbox = new Outbox(db, {
    redis,
    stream: eventStream(prefix, 'fixture'),
    logger: quietLogger,
    pollIntervalMs: 50,
  });
  cleanups.push(
    () => deleteKeys(redis, prefix),
    () => outbox[Symbol.asyncDispose](),
  );
  return { outbox, prefix };
}

function newConsumer(
  prefix: string,
  outbox: Outbox<Tx>,
  options: Partial<ConstructorParameters<typeof EventConsumer<Tx>>[0]> = {},
) {
  const consumer = new EventConsumer<Tx>({
    redis,
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
}

async function publish(outbox: Outbox<Tx>, events: EventEnvelope[]) {
  await outbox.transaction((tx) => outbox.append(tx, events));
  await outbox.publishPending();
}

const applications = async () =>
  Object.fromEntries((await db.note.findMany()).map((note) => [note.id, note.applications]));

const pendingCount = async (prefix: string) => {
  const [count] = (await redis.xpending(eventStream(prefix, 'fixture'), 'notes')) as [number];
  return count;
};

/** Redis replies such as XINFO's are flat [name, value, name, value ...] lists. */
function record(flat: readonly unknown[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (let i = 0; i < flat.length; i += 2) result[String(flat[i])] = flat[i + 1];
  return result;
}

/** Whether the group has been handed every entry of the stream and acknowledged them all. */
const drained = async (prefix: string) => {
  const [group] = (await redis.xinfo('GROUPS', eventStream(prefix, 'fixture'))) as unknown[][];
  const info = record(group ?? []);
  return info.pending === 0 && info.lag === 0;
};

describe('outbox', () => {
  it('commits events together with the state change, and drops them when it rolls back', async () => {
    const { outbox } = newOutbox();
    const kept = noteEvent();
    await outbox.transaction(async (tx) => {
      await tx.note.create({ data: { id: 'kept' } });
      await outbox.append(tx, [kept]);
    });
    const failing = outbox.transaction(async (tx) => {
      await tx.note.create({ data: { id: 'rolled-back' } });
      await outbox.append(tx, [noteEvent()]);
      throw new Error('the state change failed');
    });
    await expect(failing).rejects.toThrow('the state change failed');

    expect(await db.note.findMany({ select: { id: true } })).toEqual([{ id: 'kept' }]);
    expect(await db.outboxEvent.findMany({ select: { id: true } })).toEqual([{ id: kept.id }]);
  });

  it('relays committed events to the stream in commit order and marks them published', async () => {
    const { outbox, prefix } = newOutbox();
    const events = Array.from({ length: 5 }, () => noteEvent());
    for (const event of events) await outbox.transaction((tx) => outbox.append(tx, [event]));

    expect(await outbox.publishPending()).toBe(5);

    const entries = await redis.xrange(eventStream(prefix, 'fixture'), '-', '+');
    expect(entries.map(([, fields]) => JSON.parse(fields[3]!).id)).toEqual(events.map((e) => e.id));
    expect(entries[0]![1].slice(0, 2)).toEqual(['type', 'fixture.note.written']);
    expect(await db.outboxEvent.count({ where: { publishedAt: null } })).toBe(0);
    expect(await outbox.publishPending()).toBe(0);
  });

  it('publishes each event once when two relays of the same database race', async () => {
    const { outbox, prefix } = newOutbox();
    const { outbox: replica } = newOutbox(prefix);
    const events = Array.from({ length: 250 }, () => noteEvent());
    await outbox.transaction((tx) => outbox.append(tx, events));

    await Promise.all([outbox.publishPending(), replica.publishPending(), outbox.publishPending()]);
    // A relay that found the lock taken stopped early; whatever is left goes now.
    await outbox.publishPending();

    const ids = (await redis.xrange(eventStream(prefix, 'fixture'), '-', '+')).map(
      ([, fields]) => JSON.parse(fields[3]!).id,
    );
    expect(ids).toEqual(events.map((event) => event.id));
  });

  it('publishes in the background after a transaction commits', async () => {
    const { outbox, prefix } = newOutbox();
    outbox.start();
    const event = noteEvent();
    await outbox.transaction((tx) => outbox.append(tx, [event]));

    await eventually(async () => {
      expect(await redis.xlen(eventStream(prefix, 'fixture'))).toBe(1);
    });
  });
});

describe('consumer', () => {
  it('applies each event and acknowledges it after the commit', async () => {
    const { outbox, prefix } = newOutbox();
    const events = [noteEvent('a'), noteEvent('b'), noteEvent('c')];
    await publish(outbox, events);
    await newConsumer(prefix, outbox).start();

    await eventually(async () => expect(await drained(prefix)).toBe(true));
    expect(await applications()).toEqual({ a: 1, b: 1, c: 1 });
    expect(await db.processedEvent.count()).toBe(3);
  });

  it('applies an event delivered twice only once', async () => {
    const { outbox, prefix } = newOutbox();
    const event = noteEvent('twice');
    await publish(outbox, [event]);
    // The relay crashed after XADD and before marking the row: the event is sent again.
    await db.outboxEvent.updateMany({ data: { publishedAt: null } });
    await outbox.publishPending();
    expect(await redis.xlen(eventStream(prefix, 'fixture'))).toBe(2);

    await newConsumer(prefix, outbox).start();

    await eventually(async () => expect(await drained(prefix)).toBe(true));
    expect(await applications()).toEqual({ twice: 1 });
  });

  it('ignores event types it has no subscription for', async () => {
    const { outbox, prefix } = newOutbox();
    await redis.xadd(
      eventStream(prefix, 'fixture'),
      '*',
      'type',
      'fixture.other',
      'envelope',
      '{}',
    );
    await publish(outbox, [noteEvent('after')]);
    await newConsumer(prefix, outbox).start();

    await eventually(async () => expect(await drained(prefix)).toBe(true));
    expect(await applications()).toEqual({ after: 1 });
    expect(await redis.xlen(deadLetterStream(prefix, 'notes'))).toBe(0);
  });

  it('dead-letters a malformed event or an unknown version at once, and goes on', async () => {
    const { outbox, prefix } = newOutbox();
    const stream = eventStream(prefix, 'fixture');
    const badPayload = { ...noteEvent(), payload: { noteId: 42 } };
    const newerVersion = { ...noteEvent(), version: 2 };
    for (const envelope of [badPayload, newerVersion]) {
      await redis.xadd(stream, '*', 'type', noteWritten.type, 'envelope', JSON.stringify(envelope));
    }
    await redis.xadd(stream, '*', 'type', noteWritten.type, 'envelope', 'not json');
    await publish(outbox, [noteEvent('good')]);
    await newConsumer(prefix, outbox).start();

    await eventually(async () => expect(await applications()).toEqual({ good: 1 }));
    const dead = await redis.xrange(deadLetterStream(prefix, 'notes'), '-', '+');
    expect(dead).toHaveLength(3);
    const reasons = dead.map(([, fields]) => fields[fields.indexOf('error') + 1]);
    expect(reasons[0]).toMatch(/noteId/);
    expect(reasons[1]).toMatch(/version 2/);
    expect(reasons[2]).toMatch(/JSON/);
    expect(await pendingCount(prefix)).toBe(0);
  });

  it('retries a failing event and dead-letters it after the last allowed delivery', async () => {
    const { outbox, prefix } = newOutbox();
    const attempts: number[] = [];
    const poison = noteEvent('poison');
    await publish(outbox, [poison, noteEvent('fine')]);
    await newConsumer(prefix, outbox, {
      maxDeliveries: 3,
      subscriptions: [
        on(noteWritten, async (event, tx) => {
          if (event.payload.noteId === 'poison') {
            attempts.push(Date.now());
            throw new Error('cannot apply this one');
          }
          await applyNote.handle(event, tx);
        }),
      ],
    }).start();

    await eventually(async () =>
      expect(await redis.xlen(deadLetterStream(prefix, 'notes'))).toBe(1),
    );
    expect(attempts).toHaveLength(3);
    const [[, fields]] = (await redis.xrange(deadLetterStream(prefix, 'notes'), '-', '+')) as [
      [string, string[]],
    ];
    const entry = record(fields);
    expect(entry).toMatchObject({
      group: 'notes',
      deliveries: '3',
      error: 'cannot apply this one',
    });
    expect(JSON.parse(String(entry.envelope)).id).toBe(poison.id);
    expect(await applications()).toEqual({ fine: 1 });
    expect(await pendingCount(prefix)).toBe(0);
    // The failed attempts rolled back: the poison event is not recorded as processed.
    expect(await db.processedEvent.count()).toBe(1);
  });

  it('pauses instead of dead-lettering while the database is unreachable', async () => {
    const { outbox, prefix } = newOutbox();
    let databaseDown = true;
    let refused = 0;
    const flakyDatabase = {
      transaction: <R>(work: (tx: Tx) => Promise<R>) => {
        if (databaseDown) {
          refused += 1;
          return Promise.reject(new Error('connection refused'));
        }
        return outbox.transaction(work);
      },
      ping: () => (databaseDown ? Promise.reject(new Error('connection refused')) : outbox.ping()),
    };
    await publish(outbox, [noteEvent('waited')]);
    await newConsumer(prefix, outbox, { database: flakyDatabase, maxDeliveries: 1 }).start();

    await eventually(() => expect(refused).toBeGreaterThan(0));
    databaseDown = false;

    await eventually(async () => expect(await applications()).toEqual({ waited: 1 }));
    expect(await redis.xlen(deadLetterStream(prefix, 'notes'))).toBe(0);
  });

  it('finishes its own pending events first when it restarts under the same name', async () => {
    const { outbox, prefix } = newOutbox();
    await publish(outbox, [noteEvent('read-before-crash'), noteEvent('also-read')]);
    const stream = eventStream(prefix, 'fixture');
    await redis.xgroup('CREATE', stream, 'notes', '0');
    // The previous life of consumer-a read both events and died before acknowledging them.
    await redis.xreadgroup('GROUP', 'notes', 'consumer-a', 'COUNT', 10, 'STREAMS', stream, '>');

    // A long retry delay: only "finish your own pending first" can explain prompt delivery.
    await newConsumer(prefix, outbox, { retryAfterMs: 60_000 }).start();

    await eventually(async () =>
      expect(await applications()).toEqual({ 'read-before-crash': 1, 'also-read': 1 }),
    );
    expect(await pendingCount(prefix)).toBe(0);
  });

  it('loses nothing when a consumer is killed mid-way: a live one claims what it left', async () => {
    const { outbox, prefix } = newOutbox();
    const noteIds = Array.from({ length: 20 }, (_, i) => `note-${i}`);
    await publish(
      outbox,
      noteIds.map((id) => noteEvent(id)),
    );

    const doomed = startConsumerProcess(prefix, 'doomed');
    const lines = createInterface({ input: doomed.stdout! });
    let applied = 0;
    for await (const line of lines) {
      if (line.startsWith('applied') && ++applied === 5) break;
    }
    doomed.kill('SIGKILL');
    await once(doomed, 'exit');
    const leftPending = await pendingCount(prefix);
    expect(leftPending).toBeGreaterThan(0);

    await newConsumer(prefix, outbox, { consumer: 'survivor' }).start();

    await eventually(async () =>
      expect(await applications()).toEqual(Object.fromEntries(noteIds.map((id) => [id, 1]))),
    );
    await eventually(async () => expect(await drained(prefix)).toBe(true));
  });
});

function startConsumerProcess(prefix: string, name: string): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@baedal/source',
      '--import',
      'tsx',
      new URL('../test/consumer-process.ts', import.meta.url).pathname,
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        PREFIX: prefix,
        CONSUMER: name,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  return child;
}
