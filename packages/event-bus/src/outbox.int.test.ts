import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { eventually, noteEvent, recordingLogger } from '../test/fixture.js';
import { busHarness } from '../test/harness.js';
import type { EventEnvelope } from './index.js';

const bus = busHarness();

/** The event ids in a stream, in stream order. */
async function streamEventIds(stream: string): Promise<string[]> {
  const entries = await bus.redis.xrange(stream, '-', '+');
  return entries.map(([, fields]) => JSON.parse(fields[3]!).id);
}

/** Reads `count` entries as a consumer of `group` and acknowledges them. */
async function readAndAcknowledge(stream: string, group: string, count: number) {
  const reply = (await bus.redis.xreadgroup(
    'GROUP',
    group,
    'reader',
    'COUNT',
    count,
    'STREAMS',
    stream,
    '>',
  )) as [string, [string, string[]][]][];
  const ids = reply[0]![1].map(([id]) => id);
  await bus.redis.xack(stream, group, ...ids);
  return ids;
}

describe('outbox', () => {
  it('commits events together with the state change, and drops them when it rolls back', async () => {
    const { outbox } = bus.newOutbox();
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

    expect(await bus.db.note.findMany({ select: { id: true } })).toEqual([{ id: 'kept' }]);
    expect(await bus.db.outboxEvent.findMany({ select: { id: true } })).toEqual([{ id: kept.id }]);
  });

  it('relays committed events to the stream in commit order and records their entries', async () => {
    const { outbox, stream } = bus.newOutbox();
    const events = Array.from({ length: 5 }, () => noteEvent());
    for (const event of events) await outbox.transaction((tx) => outbox.append(tx, [event]));

    expect(await outbox.publishPending()).toBe(5);

    const entries = await bus.redis.xrange(stream, '-', '+');
    expect(await streamEventIds(stream)).toEqual(events.map((e) => e.id));
    expect(entries[0]![1].slice(0, 2)).toEqual(['type', 'fixture.note.written']);
    const rows = await bus.db.outboxEvent.findMany({ orderBy: { position: 'asc' } });
    expect(rows.map((row) => row.streamEntryId)).toEqual(entries.map(([id]) => id));
    expect(rows.every((row) => row.publishedAt !== null)).toBe(true);
    expect(await outbox.publishPending()).toBe(0);
  });

  it('publishes each event once when two relays of the same database race', async () => {
    const { outbox, prefix, stream } = bus.newOutbox();
    const { outbox: replica } = bus.newOutbox({ prefix });
    const events = Array.from({ length: 250 }, () => noteEvent());
    await outbox.transaction((tx) => outbox.append(tx, events));

    await Promise.all([outbox.publishPending(), replica.publishPending(), outbox.publishPending()]);
    // A relay that found the lock taken stopped early; whatever is left goes now.
    await outbox.publishPending();

    expect(await streamEventIds(stream)).toEqual(events.map((event) => event.id));
  });

  it('publishes in the background after a transaction commits', async () => {
    const { outbox, stream } = bus.newOutbox();
    outbox.start();
    const event = noteEvent();
    await outbox.transaction((tx) => outbox.append(tx, [event]));

    await eventually(async () => {
      expect(await bus.redis.xlen(stream)).toBe(1);
    });
  });
});

describe('outbox when Redis loses data', () => {
  /** Six events published; group `slow` acknowledged the first two, group `fast` all six. */
  async function publishedAndPartlyRead() {
    const logger = recordingLogger();
    const metrics = new Registry();
    const { outbox, stream } = bus.newOutbox({ logger, metrics });
    for (const group of ['slow', 'fast'])
      await bus.redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
    const events = Array.from({ length: 6 }, () => noteEvent());
    await bus.publish(outbox, events);
    await readAndAcknowledge(stream, 'slow', 2);
    await readAndAcknowledge(stream, 'fast', 6);
    await outbox.maintain();
    return { outbox, stream, events, logger, metrics };
  }

  it('publishes again, when Redis comes back empty, every event some group had not acknowledged', async () => {
    const { outbox, stream, events, logger, metrics } = await publishedAndPartlyRead();

    await bus.redis.del(stream);
    await outbox.publishPending();

    expect(await streamEventIds(stream)).toEqual(events.slice(2).map((event) => event.id));
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        details: expect.objectContaining({ republishing: 4 }),
      }),
    );
    expect(await metrics.metrics()).toMatch(/baedal_events_republished_total\{stream="[^"]+"\} 4/);
    // Noticed once: the next publication has nothing more to send again.
    await bus.publish(outbox, [noteEvent('after')]);
    expect(await bus.redis.xlen(stream)).toBe(5);
  });

  it('notices a stream that was recreated empty by a consumer before the relay looked', async () => {
    const { outbox, stream, events } = await publishedAndPartlyRead();

    await bus.redis.del(stream);
    await bus.redis.xgroup('CREATE', stream, 'slow', '0', 'MKSTREAM');
    await outbox.publishPending();

    expect(await streamEventIds(stream)).toEqual(events.slice(2).map((event) => event.id));
  });

  it('publishes again what an older copy of the stream (an append-only file behind) lacks', async () => {
    const { outbox, stream, events } = await publishedAndPartlyRead();
    // Redis restarted from a file that ends after the fourth entry: the last two are gone,
    // and the groups are where they were when the file ended.
    const entries = await bus.redis.xrange(stream, '-', '+');
    await bus.redis.del(stream);
    for (const [id, fields] of entries.slice(0, 4)) await bus.redis.xadd(stream, id, ...fields);
    await bus.redis.xgroup('CREATE', stream, 'slow', entries[1]![0]);
    await bus.redis.xgroup('CREATE', stream, 'fast', entries[3]![0]);

    await outbox.publishPending();

    // Both groups read on from where they were: each gets every event it had not applied.
    const slow = await readAndAcknowledge(stream, 'slow', 100);
    const fast = await readAndAcknowledge(stream, 'fast', 100);
    const idsOf = async (entryIds: string[]) => {
      const all = await bus.redis.xrange(stream, '-', '+');
      return all.filter(([id]) => entryIds.includes(id)).map(([, f]) => JSON.parse(f[3]!).id);
    };
    expect(new Set(await idsOf(slow))).toEqual(new Set(events.slice(2).map((e) => e.id)));
    expect(await idsOf(fast)).toEqual(expect.arrayContaining(events.slice(4).map((e) => e.id)));
  });
});

describe('outbox retention', () => {
  /** An outbox whose retention has always passed: only the groups keep anything. */
  async function expiredAtOnce(events: EventEnvelope[]) {
    const logger = recordingLogger();
    const metrics = new Registry();
    const { outbox, stream } = bus.newOutbox({ retentionMs: 0, logger, metrics });
    for (const group of ['lagging', 'current'])
      await bus.redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
    await bus.publish(outbox, events);
    return { outbox, stream, logger, metrics };
  }

  it('trims the stream and prunes the outbox only below what every group has acknowledged', async () => {
    const events = Array.from({ length: 4 }, () => noteEvent());
    const { outbox, stream } = await expiredAtOnce(events);
    await readAndAcknowledge(stream, 'current', 4);
    await readAndAcknowledge(stream, 'lagging', 1);

    await outbox.maintain();

    expect(await streamEventIds(stream)).toEqual(events.slice(1).map((e) => e.id));
    const kept = await bus.db.outboxEvent.findMany({ orderBy: { position: 'asc' } });
    expect(kept.map((row) => row.id)).toEqual(events.slice(1).map((e) => e.id));

    await readAndAcknowledge(stream, 'lagging', 3);
    await outbox.maintain();

    expect(await bus.redis.xlen(stream)).toBe(0);
    expect(await bus.db.outboxEvent.count()).toBe(0);
  });

  it('keeps what a vanished group had not acknowledged, and reports the group as lagging', async () => {
    const events = Array.from({ length: 3 }, () => noteEvent());
    const { outbox, stream, logger, metrics } = await expiredAtOnce(events);
    await readAndAcknowledge(stream, 'current', 3);
    await outbox.maintain();
    // The lagging group's subgraph is gone for now, and its group with it.
    await bus.redis.xgroup('DESTROY', stream, 'lagging');

    await outbox.maintain();

    expect(await bus.redis.xlen(stream)).toBe(3);
    expect(await bus.db.outboxEvent.count()).toBe(3);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        details: expect.objectContaining({ group: 'lagging' }),
      }),
    );
    const text = await metrics.metrics();
    expect(text).toMatch(
      /baedal_events_group_unacknowledged_age_seconds\{stream="[^"]+",group="current"\} 0\n/,
    );
    expect(text).toMatch(
      /baedal_events_group_unacknowledged_age_seconds\{stream="[^"]+",group="lagging"\} \d/,
    );
  });

  it('reports its backlog: events committed and not yet published', async () => {
    const metrics = new Registry();
    const { outbox } = bus.newOutbox({ metrics });
    await outbox.transaction((tx) => outbox.append(tx, [noteEvent(), noteEvent()]));

    expect(await metrics.metrics()).toMatch(
      /baedal_events_outbox_unpublished\{stream="[^"]+"\} 2\n/,
    );
    await outbox.publishPending();
    expect(await metrics.metrics()).toMatch(
      /baedal_events_outbox_unpublished\{stream="[^"]+"\} 0\n/,
    );
  });
});
