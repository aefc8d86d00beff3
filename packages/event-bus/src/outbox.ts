import type { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import {
  type Logger,
  type SqlClient,
  type TransactionalClient,
  transactionLimits,
} from './database.js';
import type { EventEnvelope } from './envelope.js';
import {
  compareEntryIds,
  entryIdTime,
  eventStream,
  nextEntryId,
  replyRecord,
  streamFields,
} from './streams.js';

export interface OutboxOptions {
  /**
   * Connection for XADD; it may be shared with other non-blocking users. Its commands must
   * fail while Redis is unreachable (a finite `maxRetriesPerRequest`, as the services
   * configure): stopping waits for the publication under way.
   */
  readonly redis: Redis;
  /** The stream this subgraph publishes to (see `eventStream`). */
  readonly stream: string;
  readonly logger: Logger;
  /** How often the relay looks for events when nothing woke it. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Events moved per relay transaction. Default 100. */
  readonly batchSize?: number;
  /**
   * How often the relay reads the consumer groups' progress, trims the stream and prunes the
   * outbox. Default 5000 ms.
   */
  readonly maintenanceIntervalMs?: number;
  /**
   * How long published events are kept, in the outbox table and in the stream, once every
   * consumer group has acknowledged them (nothing a group has not acknowledged is dropped).
   * Default 7 days.
   */
  readonly retentionMs?: number;
  /** Where to report the relay's metrics (see the README); none by default. */
  readonly metrics?: Registry;
}

/** The unit of work every state change goes through; consumers run their handlers in it. */
export interface UnitOfWork<Tx> {
  transaction<R>(work: (tx: Tx) => Promise<R>): Promise<R>;
  /** Resolves when the database answers; used to tell an outage from a poison event. */
  ping(): Promise<void>;
}

/** An unpublished event, with the end of the stream the relay last recorded. */
interface PendingEvent {
  readonly position: bigint;
  readonly type: string;
  readonly envelope: unknown;
  readonly recorded_end: string | null;
}
/** The row the relay reads when nothing is pending: the recorded end alone. */
interface NoPendingEvent {
  readonly position: null;
  readonly recorded_end: string | null;
}

/** A consumer group of the stream, as last seen: it has acknowledged every entry below this. */
interface GroupProgress {
  readonly name: string;
  readonly acknowledgedBelow: string;
}

const lagReportIntervalMs = 60 * 60 * 1000;

/**
 * The transactional outbox of one subgraph. A state change and the events announcing it are
 * written in one transaction (`transaction` + `append`); the relay (`start`) then moves
 * committed events, in outbox order (per aggregate, in the order of its changes, which its
 * optimistic lock serialises), into the subgraph's Redis stream, and records each row's
 * stream entry id. Publication is at-least-once: a crash between XADD and marking the rows
 * published sends them again, which consumers absorb by event id.
 *
 * Redis may lose entries (it restarted empty, or from an append-only file a second behind).
 * The relay notices, atomically with each publication and at every poll, when the stream
 * ends before the last entry it added; it then publishes again every retained event that
 * some consumer group had not acknowledged. To know which, it reads each group's progress
 * every `maintenanceIntervalMs` and remembers it in the database; rows and stream entries
 * are dropped only once every group has acknowledged them and the retention has passed.
 *
 * Only one relay per database works at a time (a transaction-scoped advisory lock), so
 * replicas of a subgraph never interleave their batches.
 */
export class Outbox<Tx extends SqlClient> implements UnitOfWork<Tx>, AsyncDisposable {
  readonly #db: TransactionalClient<Tx>;
  readonly #redis: Redis;
  readonly #stream: string;
  readonly #logger: Logger;
  readonly #pollIntervalMs: number;
  readonly #batchSize: number;
  readonly #maintenanceIntervalMs: number;
  readonly #retentionMs: number;
  readonly #metrics: ReturnType<typeof relayMetrics> | undefined;
  /** When each lagging group was last reported, so that the log says it once an hour. */
  readonly #lagReportedAt = new Map<string, number>();
  /** The transactions that appended events, so that their commit wakes the relay. */
  readonly #appendedIn = new WeakSet<Tx>();
  #running: Promise<void> | undefined;
  #stopped = false;
  #woken = false;
  #wakeUp: (() => void) | undefined;
  #maintainedAt = 0;

  constructor(db: TransactionalClient<Tx>, options: OutboxOptions) {
    this.#db = db;
    this.#redis = options.redis;
    this.#stream = options.stream;
    this.#logger = options.logger;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#batchSize = options.batchSize ?? 100;
    this.#maintenanceIntervalMs = options.maintenanceIntervalMs ?? 5000;
    this.#retentionMs = options.retentionMs ?? 7 * 24 * 60 * 60 * 1000;
    this.#metrics =
      options.metrics &&
      relayMetrics(options.metrics, this.#stream, {
        unpublished: () => this.unpublishedCount(),
        groups: () => this.#unacknowledgedAges(),
      });
  }

  /**
   * Runs `work` in one database transaction, then wakes the relay if it committed events
   * (most of the consumers' transactions, and reads, append none: the relay stays asleep).
   */
  async transaction<R>(work: (tx: Tx) => Promise<R>): Promise<R> {
    let transaction: Tx | undefined;
    const result = await this.#db.$transaction((tx) => {
      transaction = tx;
      return work(tx);
    }, transactionLimits);
    if (transaction && this.#appendedIn.has(transaction)) this.wake();
    return result;
  }

  /** Records events inside `tx`: they are committed, or rolled back, with the caller's writes. */
  async append(tx: Tx, events: readonly EventEnvelope[]): Promise<void> {
    if (events.length === 0) return;
    this.#appendedIn.add(tx);
    // One statement for all of them; `WITH ORDINALITY` keeps their order in the outbox.
    await tx.$executeRaw`
      INSERT INTO outbox_event (id, type, envelope)
      SELECT id, type, envelope FROM unnest(
        ${events.map((event) => event.id)}::uuid[],
        ${events.map((event) => event.type)}::text[],
        ${events.map((event) => JSON.stringify(event))}::jsonb[]
      ) WITH ORDINALITY AS event(id, type, envelope, n)
      ORDER BY n`;
  }

  async ping(): Promise<void> {
    await this.#db.$queryRaw`SELECT 1`;
  }

  /** Starts the relay in the background. */
  start(): void {
    this.#running ??= this.#relay();
  }

  /** Asks the relay to publish now instead of at its next poll. */
  wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  /**
   * Publishes unpublished events in batches until none are left (or another replica holds
   * the relay lock), publishing lost ones again first if Redis lost any. Returns how many
   * this call published.
   */
  async publishPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const { published, lost } = await this.#publishBatch();
      total += published;
      if (published < this.#batchSize && !lost) return total;
    }
  }

  /**
   * Reads how far each consumer group of the stream has acknowledged and remembers it, trims
   * the stream and prunes the outbox below what every group has acknowledged (and the
   * retention), and reports groups that hold back entries older than the retention. The
   * relay does this every `maintenanceIntervalMs`.
   */
  async maintain(): Promise<void> {
    await this.#db.$transaction(async (tx) => {
      if (!(await this.#lock(tx))) return;
      // Right after Redis lost data, its groups say nothing about what was applied before:
      // leave them be until the next publication has published the lost events again.
      const recordedEnd = await this.#recordedEnd(tx);
      const info = await this.#redis.xinfo('STREAM', this.#stream).then(
        (reply) => [null, reply] as const,
        (error: Error) => [error, null] as const,
      );
      if (recordedEnd && compareEntryIds(lastGeneratedId(info), recordedEnd) < 0) return;
      const groups = await this.#observeGroups(tx);
      const acknowledged = lowest(groups);
      const cutoffMs = Date.now() - this.#retentionMs;
      const expired = `${cutoffMs}-0`;
      const trimBelow =
        acknowledged && compareEntryIds(acknowledged, expired) < 0 ? acknowledged : expired;
      // Exact, not `~`: a trim every few seconds removes few entries, and exactness lets an
      // operator (and a test) see precisely what was kept.
      await this.#redis.xtrim(this.#stream, 'MINID', trimBelow);
      const cutoff = new Date(cutoffMs);
      await tx.$executeRaw`
        DELETE FROM outbox_event
        WHERE published_at < ${cutoff}
          AND (${acknowledged}::text IS NULL OR stream_entry_id IS NULL
               OR string_to_array(stream_entry_id, '-')::numeric[]
                  < string_to_array(${acknowledged}::text, '-')::numeric[])`;
      await tx.$executeRaw`DELETE FROM processed_event WHERE processed_at < ${cutoff}`;
      await this.#reportLaggingGroups(groups, cutoffMs);
    }, transactionLimits);
  }

  /** Events committed and not yet in the stream. */
  async unpublishedCount(): Promise<number> {
    const [row] = await this.#db.$queryRaw<{ count: bigint }[]>`
      SELECT count(*) FROM outbox_event WHERE published_at IS NULL`;
    return Number(row?.count ?? 0);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#stopped = true;
    this.#wakeUp?.();
    await this.#running;
  }

  async #relay(): Promise<void> {
    let failing = false;
    while (!this.#stopped) {
      this.#woken = false;
      try {
        await this.publishPending();
        if (Date.now() - this.#maintainedAt >= this.#maintenanceIntervalMs) {
          await this.maintain();
          this.#maintainedAt = Date.now();
        }
        if (failing) this.#logger.info({ stream: this.#stream }, 'outbox relay resumed');
        failing = false;
      } catch (error) {
        // One warning per outage; the relay tries again at every poll.
        if (!failing)
          this.#logger.warn({ err: error, stream: this.#stream }, 'outbox relay failed; retrying');
        failing = true;
      }
      await this.#sleep();
    }
  }

  async #lock(tx: Tx): Promise<boolean> {
    const [row] = await tx.$queryRaw<{ acquired: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(hashtext('baedal.outbox-relay')) AS acquired`;
    return row?.acquired === true;
  }

  async #publishBatch(): Promise<{ published: number; lost: boolean }> {
    return this.#db.$transaction(async (tx) => {
      if (!(await this.#lock(tx))) return { published: 0, lost: false };
      // The batch and the recorded end of the stream in one statement (see `#recordedEnd`).
      const result = await tx.$queryRaw<(PendingEvent | NoPendingEvent)[]>`
        SELECT pending.position, pending.type, pending.envelope, recorded.last_entry_id AS recorded_end
        FROM (VALUES (1)) AS one
        LEFT JOIN (SELECT last_entry_id FROM outbox_stream WHERE stream = ${this.#stream}) AS recorded
          ON true
        LEFT JOIN (
          SELECT position, type, envelope FROM outbox_event
          WHERE published_at IS NULL ORDER BY position LIMIT ${this.#batchSize}
        ) AS pending ON true
        ORDER BY pending.position`;
      const recordedEnd = result[0]?.recorded_end ?? null;
      const rows = result.filter((row): row is PendingEvent => row.position !== null);

      // Reading where the stream ends and adding to it in one MULTI: Redis cannot lose the
      // stream between the two without the relay seeing it.
      const transaction = this.#redis.multi().xinfo('STREAM', this.#stream);
      for (const row of rows)
        transaction.xadd(this.#stream, '*', ...streamFields(row.type, row.envelope));
      const [info, ...added] = (await transaction.exec()) ?? [];
      const streamEnd = lastGeneratedId(info);
      const entryIds = added.map(([error, id]) => {
        if (error) throw error;
        return id as string;
      });

      const lost = recordedEnd !== null && compareEntryIds(streamEnd, recordedEnd) < 0;
      const lastEntryId = entryIds.at(-1) ?? (lost ? streamEnd : undefined);
      if (rows.length > 0) {
        // Marks the batch and records the stream's new end in one statement.
        await tx.$executeRaw`
          WITH marked AS (
            UPDATE outbox_event SET published_at = now(), stream_entry_id = added.entry_id
            FROM unnest(${rows.map((row) => row.position)}::bigint[], ${entryIds}::text[])
              AS added(position, entry_id)
            WHERE outbox_event.position = added.position
          )
          INSERT INTO outbox_stream (stream, last_entry_id) VALUES (${this.#stream}, ${lastEntryId})
          ON CONFLICT (stream) DO UPDATE SET last_entry_id = excluded.last_entry_id`;
        this.#logger.debug({ stream: this.#stream, count: rows.length }, 'published events');
      } else if (lastEntryId) {
        await tx.$executeRaw`
          INSERT INTO outbox_stream (stream, last_entry_id) VALUES (${this.#stream}, ${lastEntryId})
          ON CONFLICT (stream) DO UPDATE SET last_entry_id = excluded.last_entry_id`;
      }
      if (lost) await this.#republish(tx, recordedEnd, streamEnd);
      return { published: rows.length, lost };
    }, transactionLimits);
  }

  /** The id of the last entry the relay added to the stream, as recorded in the database. */
  async #recordedEnd(tx: Tx): Promise<string | null> {
    const [row] = await tx.$queryRaw<{ last_entry_id: string }[]>`
      SELECT last_entry_id FROM outbox_stream WHERE stream = ${this.#stream}`;
    return row?.last_entry_id ?? null;
  }

  /**
   * Redis has lost entries: marks every row that some consumer group may not have applied as
   * unpublished again, for the relay to publish at once. Groups that Redis lost are created
   * again by their consumers from the start of the stream, so they read them all; a group
   * that survived (an older append-only file) reads on from where it was.
   */
  async #republish(tx: Tx, expectedEnd: string, streamEnd: string): Promise<void> {
    const groups = await tx.$queryRaw<{ name: string; acknowledged_below: string }[]>`
      SELECT name, acknowledged_below FROM outbox_consumer_group WHERE stream = ${this.#stream}`;
    const acknowledged = lowest(
      groups.map((group) => ({ name: group.name, acknowledgedBelow: group.acknowledged_below })),
    );
    const count = await tx.$executeRaw`
      UPDATE outbox_event SET published_at = NULL, stream_entry_id = NULL
      WHERE stream_entry_id IS NOT NULL
        AND (${acknowledged}::text IS NULL
             OR string_to_array(stream_entry_id, '-')::numeric[]
                >= string_to_array(${acknowledged}::text, '-')::numeric[])`;
    this.#metrics?.republished.inc(count);
    this.#logger.warn(
      { stream: this.#stream, expectedEnd, streamEnd, acknowledged, republishing: count },
      'Redis lost events of this stream; publishing again every event a consumer group may not have applied',
    );
  }

  /** Reads each group's progress from Redis, remembers it, and returns every group known. */
  async #observeGroups(tx: Tx): Promise<GroupProgress[]> {
    const groups = (
      (await this.#redis.xinfo('GROUPS', this.#stream).catch(noSuchKey([]))) as unknown[][]
    ).map(replyRecord);
    for (const group of groups) {
      const name = String(group.name);
      const [, firstPending] = (await this.#redis.xpending(this.#stream, name)) as [
        number,
        string | null,
      ];
      // Everything delivered is acknowledged, except what is still pending.
      const acknowledgedBelow = firstPending ?? nextEntryId(String(group['last-delivered-id']));
      await tx.$executeRaw`
        INSERT INTO outbox_consumer_group (stream, name, acknowledged_below, seen_at)
        VALUES (${this.#stream}, ${name}, ${acknowledgedBelow}, now())
        ON CONFLICT (stream, name)
        DO UPDATE SET acknowledged_below = excluded.acknowledged_below, seen_at = now()`;
    }
    const known = await tx.$queryRaw<{ name: string; acknowledged_below: string }[]>`
      SELECT name, acknowledged_below FROM outbox_consumer_group WHERE stream = ${this.#stream}`;
    return known.map((group) => ({
      name: group.name,
      acknowledgedBelow: group.acknowledged_below,
    }));
  }

  /**
   * For each known group, how long ago the oldest entry it has not acknowledged was added
   * (0 when it has acknowledged everything).
   */
  async #unacknowledgedAges(): Promise<{ group: string; seconds: number }[]> {
    const known = await this.#db.$queryRaw<{ name: string; acknowledged_below: string }[]>`
      SELECT name, acknowledged_below FROM outbox_consumer_group WHERE stream = ${this.#stream}`;
    return Promise.all(
      known.map(async (group) => {
        const [oldest] = await this.#redis.xrange(
          this.#stream,
          group.acknowledged_below,
          '+',
          'COUNT',
          1,
        );
        const seconds = oldest ? (Date.now() - entryIdTime(oldest[0])) / 1000 : 0;
        return { group: group.name, seconds: Math.max(0, seconds) };
      }),
    );
  }

  /**
   * A group holding back entries older than the retention keeps them, and their outbox rows,
   * from being dropped; it is reported (once an hour) instead of being overtaken.
   */
  async #reportLaggingGroups(groups: readonly GroupProgress[], cutoffMs: number): Promise<void> {
    for (const group of groups) {
      const [oldest] = await this.#redis.xrange(
        this.#stream,
        group.acknowledgedBelow,
        '+',
        'COUNT',
        1,
      );
      if (!oldest || entryIdTime(oldest[0]) >= cutoffMs) {
        this.#lagReportedAt.delete(group.name);
        continue;
      }
      const reportedAt = this.#lagReportedAt.get(group.name) ?? 0;
      if (Date.now() - reportedAt < lagReportIntervalMs) continue;
      this.#lagReportedAt.set(group.name, Date.now());
      this.#logger.warn(
        {
          stream: this.#stream,
          group: group.name,
          oldestUnacknowledged: oldest[0],
          retentionMs: this.#retentionMs,
        },
        'consumer group lags behind the retention; its events are kept until it acknowledges them',
      );
    }
  }

  #sleep(): Promise<void> {
    if (this.#woken || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#wakeUp?.(), this.#pollIntervalMs);
      this.#wakeUp = () => {
        clearTimeout(timer);
        this.#wakeUp = undefined;
        resolve();
      };
    });
  }
}

/** The lowest `acknowledgedBelow` of the groups: what all of them have acknowledged. */
function lowest(groups: readonly GroupProgress[]): string | null {
  let result: string | null = null;
  for (const { acknowledgedBelow } of groups)
    if (result === null || compareEntryIds(acknowledgedBelow, result) < 0)
      result = acknowledgedBelow;
  return result;
}

/** The id of the last entry ever added to the stream, from XINFO STREAM; `0-0` if there is no stream. */
function lastGeneratedId(reply: readonly [Error | null, unknown] | undefined): string {
  const [error, info] = reply ?? [new Error('No reply to XINFO STREAM.'), null];
  if (error) {
    if (isNoSuchKey(error)) return '0-0';
    throw error;
  }
  return String(replyRecord(info as unknown[])['last-generated-id']);
}

function isNoSuchKey(error: unknown): boolean {
  return String(error).includes('no such key');
}

/** Answers `fallback` for Redis' "no such key" error, and rethrows anything else. */
function noSuchKey<T>(fallback: T) {
  return (error: unknown): T => {
    if (isNoSuchKey(error)) return fallback;
    throw error;
  };
}

/** The relay's metrics; gauges are read from the database and Redis when scraped. */
function relayMetrics(
  registry: Registry,
  stream: string,
  sources: {
    unpublished: () => Promise<number>;
    groups: () => Promise<{ group: string; seconds: number }[]>;
  },
) {
  const registers = [registry];
  new Gauge({
    name: 'baedal_events_outbox_unpublished',
    help: 'Events committed to the outbox and not yet published to the stream (the relay’s backlog).',
    labelNames: ['stream'] as const,
    registers,
    async collect() {
      this.reset();
      const count = await sources.unpublished().catch(() => undefined);
      if (count !== undefined) this.set({ stream }, count);
    },
  });
  new Gauge({
    name: 'baedal_events_group_unacknowledged_age_seconds',
    help: 'Age of the oldest entry of this subgraph’s stream that a consumer group has not acknowledged (0: none).',
    labelNames: ['stream', 'group'] as const,
    registers,
    async collect() {
      this.reset();
      for (const { group, seconds } of await sources.groups().catch(() => []))
        this.set({ stream, group }, seconds);
    },
  });
  return {
    republished: new Counter({
      name: 'baedal_events_republished_total',
      help: 'Events published again because Redis lost them.',
      labelNames: ['stream'] as const,
      registers,
    }).labels({ stream }),
  };
}

/**
 * Appends an event to its producer's stream directly, without an outbox. For tests and
 * operator tools only: services publish through their `Outbox`.
 */
export async function publishEvent(
  redis: Redis,
  prefix: string,
  event: EventEnvelope,
): Promise<string> {
  return (await redis.xadd(
    eventStream(prefix, event.producer),
    '*',
    ...streamFields(event.type, event),
  ))!;
}
