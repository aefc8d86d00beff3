import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ConflictError } from '@baedal/domain';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  applyNote,
  customer,
  eventually,
  noteEvent,
  noteWritten,
  noteWrittenV2,
  recordingLogger,
  redisUrl,
  stepTaken,
  type Tx,
} from '../test/fixture.js';
import { busHarness } from '../test/harness.js';
import { listDeadLetters, on, replayDeadLetter, replayStream } from './index.js';

const bus = busHarness();

describe('consumer', () => {
  it('applies each event and acknowledges it after the commit', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    await bus.publish(outbox, [noteEvent('a'), noteEvent('b'), noteEvent('c')]);
    await bus.newConsumer(prefix, outbox).start();

    await eventually(async () => expect(await bus.drained(stream)).toBe(true));
    expect(await bus.applications()).toEqual({ a: 1, b: 1, c: 1 });
    expect(await bus.db.processedEvent.count()).toBe(3);
  });

  it('applies an event delivered twice only once', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    await bus.publish(outbox, [noteEvent('twice')]);
    // The relay crashed after XADD and before marking the row: the event is sent again.
    await bus.db.outboxEvent.updateMany({ data: { publishedAt: null } });
    await outbox.publishPending();
    expect(await bus.redis.xlen(stream)).toBe(2);

    await bus.newConsumer(prefix, outbox).start();

    await eventually(async () => expect(await bus.drained(stream)).toBe(true));
    expect(await bus.applications()).toEqual({ twice: 1 });
  });

  it('ignores event types it has no subscription for', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    await bus.redis.xadd(stream, '*', 'type', 'fixture.other', 'envelope', '{}');
    await bus.publish(outbox, [noteEvent('after')]);
    await bus.newConsumer(prefix, outbox).start();

    await eventually(async () => expect(await bus.drained(stream)).toBe(true));
    expect(await bus.applications()).toEqual({ after: 1 });
    expect(await bus.deadLetters()).toEqual([]);
  });

  it('applies events of different orders concurrently, and the events of one order in order', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    const orders = ['order-a', 'order-b', 'order-c'];
    const steps = [1, 2, 3, 4];
    // Interleaved as a backlog would be: every order's first step, then every second step...
    await bus.publish(
      outbox,
      steps.flatMap((step) =>
        orders.map((orderId) => stepTaken.create({ orderId, step }, { actor: customer })),
      ),
    );
    const applied: Record<string, number[]> = {};
    let running = 0;
    let mostAtOnce = 0;
    let allFirstStepsStarted: () => void = () => {};
    const firstSteps = new Promise<void>((resolve) => {
      allFirstStepsStarted = resolve;
    });
    const started = new Set<string>();
    await bus
      .newConsumer(prefix, outbox, {
        concurrency: 8,
        subscriptions: [
          on(stepTaken, async ({ payload }) => {
            running += 1;
            mostAtOnce = Math.max(mostAtOnce, running);
            if (payload.step === 1) {
              started.add(payload.orderId);
              if (started.size === orders.length) allFirstStepsStarted();
              // Only a consumer that applies several orders at once gets past this.
              await firstSteps;
            }
            applied[payload.orderId] = [...(applied[payload.orderId] ?? []), payload.step];
            running -= 1;
          }),
        ],
      })
      .start();

    await eventually(async () => expect(await bus.drained(stream)).toBe(true));
    expect(applied).toEqual(Object.fromEntries(orders.map((orderId) => [orderId, steps])));
    expect(mostAtOnce).toBeGreaterThanOrEqual(orders.length);
  });

  it('never applies more events at once than its concurrency allows, whatever it reads', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    await bus.publish(
      outbox,
      Array.from({ length: 30 }, (_, i) => noteEvent(`note-${i}`)),
    );
    // A second stream with a backlog: one read hands over entries of both.
    for (let i = 30; i < 40; i++) {
      const event = noteEvent(`note-${i}`);
      await bus.redis.xadd(
        replayStream(prefix, 'notes'),
        '*',
        'type',
        event.type,
        'envelope',
        JSON.stringify(event),
      );
    }
    let running = 0;
    let mostAtOnce = 0;
    await bus
      .newConsumer(prefix, outbox, {
        concurrency: 3,
        subscriptions: [
          on(noteWritten, async (event, tx) => {
            mostAtOnce = Math.max(mostAtOnce, ++running);
            await applyNote.handle(event, tx);
            await new Promise((resolve) => setImmediate(resolve));
            running -= 1;
          }),
        ],
      })
      .start();

    await eventually(async () => expect(await bus.drained(stream)).toBe(true));
    await eventually(async () => expect(Object.keys(await bus.applications())).toHaveLength(40));
    expect(mostAtOnce).toBeLessThanOrEqual(3);
  });

  it('applies an event again at once after an optimistic conflict, logging it at debug only', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    await bus.publish(outbox, [noteEvent('contended')]);
    const logger = recordingLogger();
    let attempts = 0;
    await bus
      .newConsumer(prefix, outbox, {
        logger,
        // A long retry delay: only an immediate retry applies the event before the test ends.
        retryAfterMs: 60_000,
        subscriptions: [
          on(noteWritten, async (event, tx) => {
            if (++attempts <= 2) throw new ConflictError('The note changed meanwhile.');
            await applyNote.handle(event, tx);
          }),
        ],
      })
      .start();

    await eventually(async () => expect(await bus.drained(stream)).toBe(true));
    expect(await bus.applications()).toEqual({ contended: 1 });
    expect(attempts).toBe(3);
    expect(logger.lines.filter((line) => line.level !== 'debug')).toEqual([]);
    expect(
      logger.lines.filter(
        (line) => line.message === 'event met a concurrent change; applying it again',
      ),
    ).toHaveLength(2);
  });

  it('records a malformed event or an unknown older version as a dead letter at once, and goes on', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    const badPayload = {
      ...noteWrittenV2.create({ noteId: 'bad', text: '' }, { actor: customer }),
      payload: { noteId: 42 },
    };
    await bus.redis.xadd(
      stream,
      '*',
      'type',
      noteWritten.type,
      'envelope',
      JSON.stringify(badPayload),
    );
    await bus.redis.xadd(stream, '*', 'type', noteWritten.type, 'envelope', 'not json');
    await bus.publish(outbox, [noteEvent('good')]);
    // This consumer knows only version 2: version 1 is older than anything it can apply.
    await bus
      .newConsumer(prefix, outbox, {
        subscriptions: [on(noteWrittenV2, async (event, tx) => applyNote.handle(event, tx))],
      })
      .start();

    await eventually(async () => expect(await bus.deadLetters()).toHaveLength(3));
    const reasons = (await bus.deadLetters()).map((letter) => letter.error);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/noteId/),
        expect.stringMatching(/JSON/),
        expect.stringMatching(/version 1/),
      ]),
    );
    expect(await bus.applications()).toEqual({});
    await eventually(async () => expect(await bus.drained(stream)).toBe(true));
  });

  it('leaves an event of a newer version to a replica that knows it, instead of dropping it', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    const logger = recordingLogger();
    const old = bus.newConsumer(prefix, outbox, { consumer: 'old', logger, retryAfterMs: 300 });
    await old.start();
    const newer = noteWrittenV2.create({ noteId: 'v2', text: 'hello' }, { actor: customer });
    await bus.publish(outbox, [newer, noteEvent('v1')]);

    await eventually(async () => expect(await bus.applications()).toEqual({ v1: 1 }));
    await eventually(() =>
      expect(logger.lines.map((line) => line.message)).toContain(
        'event of a newer version left for a replica that knows it',
      ),
    );
    expect(await bus.pendingCount(stream)).toBe(1);
    expect(await bus.deadLetters()).toEqual([]);

    // The rolling deploy reaches this group: a replica that knows version 2 starts.
    const applied: string[] = [];
    await bus
      .newConsumer(prefix, outbox, {
        consumer: 'upgraded',
        retryAfterMs: 300,
        subscriptions: [
          applyNote,
          on(noteWrittenV2, async (event) => {
            applied.push(event.payload.text);
          }),
        ],
      })
      .start();

    await eventually(async () => expect(await bus.drained(stream)).toBe(true));
    expect(applied).toEqual(['hello']);
    expect(await bus.deadLetters()).toEqual([]);
  });

  it('retries a failing event and records it as a dead letter after the last allowed delivery', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    const metrics = new Registry();
    let attempts = 0;
    const poison = noteEvent('poison');
    await bus.publish(outbox, [poison, noteEvent('fine')]);
    await bus
      .newConsumer(prefix, outbox, {
        maxDeliveries: 3,
        metrics,
        subscriptions: [
          on(noteWritten, async (event, tx) => {
            if (event.payload.noteId === 'poison') {
              attempts += 1;
              throw new Error('cannot apply this one');
            }
            await applyNote.handle(event, tx);
          }),
        ],
      })
      .start();

    await eventually(async () => expect(await bus.deadLetters()).toHaveLength(1));
    expect(attempts).toBe(3);
    const [letter] = await bus.deadLetters();
    expect(letter).toMatchObject({
      stream,
      type: noteWritten.type,
      deliveries: 3,
      error: 'cannot apply this one',
    });
    expect(JSON.parse(letter!.envelope!).id).toBe(poison.id);
    expect(await bus.applications()).toEqual({ fine: 1 });
    await eventually(async () => expect(await bus.drained(stream)).toBe(true));
    // The failed attempts rolled back: the poison event is not recorded as processed.
    expect(await bus.db.processedEvent.count()).toBe(1);
    const text = await metrics.metrics();
    expect(text).toContain('baedal_events_applied_total{type="fixture.note.written"} 1');
    expect(text).toContain('baedal_events_failed_total{type="fixture.note.written"} 3');
    expect(text).toContain('baedal_events_dead_lettered_total{type="fixture.note.written"} 1');
    expect(text).toMatch(/baedal_events_dead_letters 1\n/);
    expect(text).toMatch(
      /baedal_events_consumer_pending\{stream="[^"]+:events:fixture",group="notes"\} 0\n/,
    );
    expect(text).toMatch(
      /baedal_events_consumer_lag\{stream="[^"]+:events:fixture",group="notes"\} 0\n/,
    );
  });

  it('applies a replayed dead letter once it can, and only in the group that set it aside', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    let broken = true;
    await bus.publish(outbox, [noteEvent('late')]);
    await bus
      .newConsumer(prefix, outbox, {
        maxDeliveries: 1,
        subscriptions: [
          on(noteWritten, async (event, tx) => {
            if (broken) throw new Error('not yet');
            await applyNote.handle(event, tx);
          }),
        ],
      })
      .start();
    await eventually(async () => expect(await bus.deadLetters()).toHaveLength(1));

    broken = false;
    const [letter] = await listDeadLetters(bus.db);
    await replayDeadLetter(bus.db, bus.redis, { prefix, group: 'notes', letter: letter! });

    await eventually(async () => expect(await bus.applications()).toEqual({ late: 1 }));
    expect(await bus.deadLetters()).toEqual([]);
    // The producer's stream is untouched: other groups see nothing twice.
    expect(await bus.redis.xlen(stream)).toBe(1);
  });

  it('records an entry trimmed from the stream while it was pending as a dead letter', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    await bus.publish(outbox, [noteEvent('trimmed'), noteEvent('kept')]);
    await bus.redis.xgroup('CREATE', stream, 'notes', '0');
    // A consumer that is gone read both; the first was then trimmed away unacknowledged.
    await bus.redis.xreadgroup('GROUP', 'notes', 'gone', 'COUNT', 10, 'STREAMS', stream, '>');
    const [[trimmedId]] = (await bus.redis.xrange(stream, '-', '+', 'COUNT', 1)) as unknown as [
      [string],
    ];
    await bus.redis.xdel(stream, trimmedId);

    await bus.newConsumer(prefix, outbox).start();

    await eventually(async () => expect(await bus.deadLetters()).toHaveLength(1));
    expect((await bus.deadLetters())[0]).toMatchObject({
      stream,
      entryId: trimmedId,
      envelope: null,
      error: expect.stringMatching(/trimmed/),
    });
    await eventually(async () => expect(await bus.applications()).toEqual({ kept: 1 }));
    expect(await bus.pendingCount(stream)).toBe(0);
  });

  it('pauses instead of dead-lettering while the database is unreachable', async () => {
    const { outbox, prefix } = bus.newOutbox();
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
    await bus.publish(outbox, [noteEvent('waited')]);
    await bus.newConsumer(prefix, outbox, { database: flakyDatabase, maxDeliveries: 1 }).start();

    await eventually(() => expect(refused).toBeGreaterThan(0));
    databaseDown = false;

    await eventually(async () => expect(await bus.applications()).toEqual({ waited: 1 }));
    expect(await bus.deadLetters()).toEqual([]);
  });

  it('finishes its own pending events first when it restarts under the same name', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    await bus.publish(outbox, [noteEvent('read-before-crash'), noteEvent('also-read')]);
    await bus.redis.xgroup('CREATE', stream, 'notes', '0');
    // The previous life of consumer-a read both events and died before acknowledging them.
    await bus.redis.xreadgroup('GROUP', 'notes', 'consumer-a', 'COUNT', 10, 'STREAMS', stream, '>');

    // A long retry delay: only "finish your own pending first" can explain prompt delivery.
    await bus.newConsumer(prefix, outbox, { retryAfterMs: 60_000 }).start();

    await eventually(async () =>
      expect(await bus.applications()).toEqual({ 'read-before-crash': 1, 'also-read': 1 }),
    );
    expect(await bus.pendingCount(stream)).toBe(0);
  });

  it('applies and acknowledges the events it has in hand when it stops, leaving none pending', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    const steps = [1, 2, 3, 4, 5, 6];
    await bus.publish(
      outbox,
      steps.map((step) => stepTaken.create({ orderId: 'order-a', step }, { actor: customer })),
    );
    const applied: number[] = [];
    let firstStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      firstStarted = resolve;
    });
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const consumer = bus.newConsumer(prefix, outbox, {
      subscriptions: [
        on(stepTaken, async ({ payload }) => {
          if (payload.step === 1) {
            firstStarted();
            await released;
          }
          applied.push(payload.step);
        }),
      ],
    });
    await consumer.start();

    // One read handed over every step; the first is being applied, the others wait behind it.
    await started;
    const stopped = consumer[Symbol.asyncDispose]();
    release();
    await stopped;

    expect(applied).toEqual(steps);
    expect(await bus.pendingCount(stream)).toBe(0);
  });

  it('loses nothing when a consumer is killed mid-way: a live one claims what it left', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    const noteIds = Array.from({ length: 20 }, (_, i) => `note-${i}`);
    await bus.publish(
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
    expect(await bus.pendingCount(stream)).toBeGreaterThan(0);

    await bus.newConsumer(prefix, outbox, { consumer: 'survivor' }).start();

    await eventually(async () =>
      expect(await bus.applications()).toEqual(Object.fromEntries(noteIds.map((id) => [id, 1]))),
    );
    await eventually(async () => expect(await bus.drained(stream)).toBe(true));
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
        DATABASE_URL: bus.databaseUrl,
        REDIS_URL: redisUrl,
        PREFIX: prefix,
        CONSUMER: name,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  bus.cleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
  return child;
}
