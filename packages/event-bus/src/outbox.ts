import type { Redis } from 'ioredis';
import {
  type Logger,
  type SqlClient,
  type TransactionalClient,
  transactionLimits,
} from './database.js';
import type { EventEnvelope } from './envelope.js';
import { eventStream, streamFields } from './streams.js';

export interface OutboxOptions {
  /** Connection for XADD; it may be shared with other non-blocking users. */
  readonly redis: Redis;
  /** The stream this subgraph publishes to (see `eventStream`). */
  readonly stream: string;
  readonly logger: Logger;
  /** How often the relay looks for events when nothing woke it. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Events moved per relay transaction. Default 100. */
  readonly batchSize?: number;
  /**
   * How long published events are kept, in the outbox table and in the stream (the stream is
   * trimmed by entry age as events are added). A consumer group that stays down for longer
   * misses what was trimmed. Default 7 days.
   */
  readonly retentionMs?: number;
}

/** The unit of work every state change goes through; consumers run their handlers in it. */
export interface UnitOfWork<Tx> {
  transaction<R>(work: (tx: Tx) => Promise<R>): Promise<R>;
  /** Resolves when the database answers; used to tell an outage from a poison event. */
  ping(): Promise<void>;
}

const pruneIntervalMs = 60 * 60 * 1000;

/**
 * The transactional outbox of one subgraph. A state change and the events announcing it are
 * written in one transaction (`transaction` + `append`); the relay (`start`) then moves
 * committed events, in outbox order (per aggregate, in the order of its changes, which its
 * optimistic lock serialises), into the subgraph's Redis stream. Publication is
 * at-least-once: a crash between XADD and marking the rows published sends them again,
 * which consumers absorb by event id.
 *
 * Only one relay per database publishes at a time (a transaction-scoped advisory lock), so
 * replicas of a subgraph never interleave their batches.
 */
export class Outbox<Tx extends SqlClient> implements UnitOfWork<Tx>, AsyncDisposable {
  readonly #db: TransactionalClient<Tx>;
  readonly #redis: Redis;
  readonly #stream: string;
  readonly #logger: Logger;
  readonly #pollIntervalMs: number;
  readonly #batchSize: number;
  readonly #retentionMs: number;
  #running: Promise<void> | undefined;
  #stopped = false;
  #woken = false;
  #wakeUp: (() => void) | undefined;
  #lastPrunedAt = 0;

  constructor(db: TransactionalClient<Tx>, options: OutboxOptions) {
    this.#db = db;
    this.#redis = options.redis;
    this.#stream = options.stream;
    this.#logger = options.logger;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#batchSize = options.batchSize ?? 100;
    this.#retentionMs = options.retentionMs ?? 7 * 24 * 60 * 60 * 1000;
  }

  /** Runs `work` in one database transaction, then wakes the relay if it committed. */
  async transaction<R>(work: (tx: Tx) => Promise<R>): Promise<R> {
    const result = await this.#db.$transaction(work, transactionLimits);
    this.wake();
    return result;
  }

  /** Records events inside `tx`: they are committed, or rolled back, with the caller's writes. */
  async append(tx: Tx, events: readonly EventEnvelope[]): Promise<void> {
    for (const event of events) {
      await tx.$executeRaw`
        INSERT INTO outbox_event (id, type, envelope)
        VALUES (${event.id}::uuid, ${event.type}, ${JSON.stringify(event)}::jsonb)`;
    }
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
   * the relay lock). Returns how many this call published.
   */
  async publishPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.#publishBatch();
      total += published;
      if (published < this.#batchSize) return total;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#stopped = true;
    this.#wakeUp?.();
    await this.#running;
  }

  async #relay(): Promise<void> {
    while (!this.#stopped) {
      this.#woken = false;
      try {
        await this.publishPending();
        await this.#pruneIfDue();
      } catch (error) {
        this.#logger.error({ err: error, stream: this.#stream }, 'outbox relay failed; will retry');
      }
      await this.#sleep();
    }
  }

  async #publishBatch(): Promise<number> {
    return this.#db.$transaction(async (tx) => {
      const [lock] = await tx.$queryRaw<{ acquired: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(hashtext('baedal.outbox-relay')) AS acquired`;
      if (!lock?.acquired) return 0;
      const rows = await tx.$queryRaw<{ position: bigint; type: string; envelope: unknown }[]>`
        SELECT position, type, envelope FROM outbox_event
        WHERE published_at IS NULL ORDER BY position LIMIT ${this.#batchSize}`;
      if (rows.length === 0) return 0;

      // Entry ids are milliseconds since the epoch, so MINID trims by age.
      const oldestKept = String(Date.now() - this.#retentionMs);
      const pipeline = this.#redis.pipeline();
      for (const row of rows) {
        pipeline.xadd(
          this.#stream,
          'MINID',
          '~',
          oldestKept,
          '*',
          ...streamFields(row.type, row.envelope),
        );
      }
      const failure = (await pipeline.exec())?.find(([error]) => error)?.[0];
      if (failure) throw failure;

      const positions = rows.map((row) => row.position);
      await tx.$executeRaw`
        UPDATE outbox_event SET published_at = now() WHERE position = ANY(${positions}::bigint[])`;
      this.#logger.debug({ stream: this.#stream, count: rows.length }, 'published events');
      return rows.length;
    }, transactionLimits);
  }

  /** Forgets, once an hour, published events and applied-event ids older than the retention. */
  async #pruneIfDue(): Promise<void> {
    if (Date.now() - this.#lastPrunedAt < pruneIntervalMs) return;
    this.#lastPrunedAt = Date.now();
    const cutoff = new Date(Date.now() - this.#retentionMs);
    await this.#db.$executeRaw`DELETE FROM outbox_event WHERE published_at < ${cutoff}`;
    await this.#db.$executeRaw`DELETE FROM processed_event WHERE processed_at < ${cutoff}`;
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
