import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError } from '@baedal/domain';
import { contextFrom, failSpan, inSpan, withLogFields } from '@baedal/telemetry';
import { type Link, SpanKind, trace } from '@opentelemetry/api';
import type { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger, SqlClient } from './database.js';
import { recordDeadLetter } from './dead-letters.js';
import { type EventDefinition, type EventEnvelope, parseEnvelope } from './envelope.js';
import type { UnitOfWork } from './outbox.js';
import { eventStream, replayStream, replyRecord, streamField } from './streams.js';

/** Applies one event inside the transaction that also records the event's id. */
export type EventHandler<Tx, Payload> = (event: EventEnvelope<Payload>, tx: Tx) => Promise<void>;

export interface Subscription<Tx> {
  readonly definition: EventDefinition<unknown>;
  readonly handle: EventHandler<Tx, unknown>;
}

/** Pairs an event definition (one type, one version) with the handler that applies it. */
export function on<Tx, Payload>(
  definition: EventDefinition<Payload>,
  handle: EventHandler<Tx, Payload>,
): Subscription<Tx> {
  return { definition, handle } as Subscription<Tx>;
}

export interface ConsumerOptions<Tx> {
  /**
   * Used for acknowledgements and claims; the consumer opens its own connection for blocking
   * reads. Its commands must fail while Redis is unreachable (a finite `maxRetriesPerRequest`,
   * as the services configure): stopping waits for the acknowledgements under way.
   */
  readonly redis: Redis;
  /** Key prefix of the streams (see `eventStream`). */
  readonly prefix: string;
  /** The consumer group: one per consuming subgraph, so each subgraph sees every event once. */
  readonly group: string;
  /**
   * This process's name in the group. Keep it stable across restarts (the host name is the
   * default in `main.ts`): a restarted consumer first finishes the events it had pending.
   */
  readonly consumer: string;
  readonly database: UnitOfWork<Tx>;
  readonly subscriptions: readonly Subscription<Tx>[];
  readonly logger: Logger;
  /** Deliveries after which a failing event is set aside as a dead letter. Default 5. */
  readonly maxDeliveries?: number;
  /**
   * How long a delivered, unacknowledged event waits before it is tried again, by this or
   * any other consumer of the group (a consumer that died leaves its events there). Default 5000 ms.
   */
  readonly retryAfterMs?: number;
  /** How long one read waits for new events. Default 2000 ms. */
  readonly blockMs?: number;
  /**
   * Events applied at once: events of different correlation ids (orders) are applied
   * concurrently, each order's events one after another in stream order. The consumer reads
   * again once fewer than this many events are in hand. Default 8.
   */
  readonly concurrency?: number;
  /** Where to report this consumer's metrics (see the README); none by default. */
  readonly metrics?: Registry;
}

type PendingEntry = [id: string, consumer: string, idleMs: number, deliveries: number];
type StreamEntry = [id: string, fields: string[] | null];

interface Entry {
  readonly stream: string;
  readonly id: string;
  /** Null when the entry is no longer in the stream (it was trimmed while pending). */
  readonly fields: string[] | null;
  readonly deliveries: number;
}

/** What to do with an entry, decided from its fields alone. */
type Decision<Tx> =
  | {
      readonly action: 'apply';
      readonly event: EventEnvelope;
      readonly subscription: Subscription<Tx>;
    }
  | { readonly action: 'ignore' }
  | { readonly action: 'leave'; readonly version: number }
  | { readonly action: 'dead-letter'; readonly reason: string };

/** How often an event is applied again at once after an optimistic conflict. */
const conflictAttempts = 5;
const databasePollMs = 250;
const maxBackoffMs = 1000;

/**
 * Reads a subgraph's subscriptions from Redis Streams in its consumer group and applies each
 * event at least once and its effects exactly once: the handler and the insert of the event's
 * id into `processed_event` commit together, and the entry is acknowledged only after commit.
 *
 * - Events of different correlation ids (orders) are applied concurrently, up to
 *   `concurrency`; the events of one order are applied one after another, in stream order.
 * - An event whose handler throws stays pending and is retried after `retryAfterMs`; after
 *   `maxDeliveries` deliveries it is recorded in `dead_letter` and acknowledged. An
 *   optimistic conflict (a concurrent change to the same aggregate) is retried at once.
 * - If the database itself is unreachable the consumer pauses instead, and resumes with the
 *   same event as soon as the database answers: an outage is not the event's fault.
 * - A malformed event, a version older than this subgraph knows, or an entry trimmed from its
 *   stream before it was applied is recorded as a dead letter at once.
 * - A version newer than this subgraph knows is left pending, for a replica that knows it
 *   (during a rolling deploy) to claim after `retryAfterMs`.
 * - Events of types no subscription names are acknowledged and ignored.
 * - When Redis has lost the group (it restarted empty), the group is created again from the
 *   start of each stream, which is where the outbox relay publishes lost events again.
 */
export class EventConsumer<Tx extends SqlClient> implements AsyncDisposable {
  readonly #options: ConsumerOptions<Tx>;
  readonly #reader: Redis;
  readonly #streams: string[];
  readonly #subscriptions = new Map<string, Map<number, Subscription<Tx>>>();
  readonly #maxDeliveries: number;
  readonly #retryAfterMs: number;
  readonly #concurrency: number;
  readonly #stop = new AbortController();
  /** Entries in hand (`stream id`), so that a retry never claims what is being applied. */
  readonly #inFlight = new Set<string>();
  /** The last piece of work queued for each correlation id; the next one waits for it. */
  readonly #lanes = new Map<string, Promise<void>>();
  readonly #metrics: ReturnType<typeof consumerMetrics> | undefined;
  /** Events being applied now, and the lanes waiting for their turn. */
  #applying = 0;
  readonly #waitingToApply: (() => void)[] = [];
  #slotFreed: (() => void) | undefined;
  #databaseDown: Promise<void> | undefined;
  #running: Promise<void> | undefined;

  constructor(options: ConsumerOptions<Tx>) {
    this.#options = options;
    this.#reader = options.redis.duplicate();
    // Errors of this connection surface as failed reads, handled by the read loop.
    this.#reader.on('error', () => {});
    this.#maxDeliveries = options.maxDeliveries ?? 5;
    this.#retryAfterMs = options.retryAfterMs ?? 5000;
    this.#concurrency = options.concurrency ?? 8;
    const streams = new Set<string>();
    for (const subscription of options.subscriptions) {
      const { producer, type, version } = subscription.definition;
      streams.add(eventStream(options.prefix, producer));
      const versions = this.#subscriptions.get(type) ?? new Map();
      versions.set(version, subscription);
      this.#subscriptions.set(type, versions);
    }
    streams.add(replayStream(options.prefix, options.group));
    this.#streams = [...streams];
    this.#metrics =
      options.metrics &&
      consumerMetrics(options.metrics, options.group, {
        progress: () => this.progress(),
        deadLetters: () => this.deadLetterCount(),
      });
  }

  /** Creates the consumer group where missing, then consumes in the background. */
  async start(): Promise<void> {
    await this.#ensureGroups();
    this.#running ??= this.#consume();
  }

  /**
   * Stops reading and claiming, applies and acknowledges the events it has in hand (those
   * already read, each order's in order), and closes the reading connection: a replica that
   * stops leaves nothing pending for another to claim, unless the database is down.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#stop.abort();
    this.#reader.disconnect();
    await this.#running;
    await Promise.all(this.#lanes.values());
  }

  /** For each stream read: entries not yet delivered to the group (lag) and not yet acknowledged. */
  async progress(): Promise<{ stream: string; lag: number; pending: number }[]> {
    const { redis, group } = this.#options;
    return Promise.all(
      this.#streams.map(async (stream) => {
        const groups = (
          (await redis.xinfo('GROUPS', stream).catch((error: unknown) => {
            if (String(error).includes('no such key')) return [];
            throw error;
          })) as unknown[][]
        ).map(replyRecord);
        const mine = groups.find((candidate) => candidate.name === group);
        return { stream, lag: Number(mine?.lag ?? 0), pending: Number(mine?.pending ?? 0) };
      }),
    );
  }

  /** Dead letters recorded and not replayed. */
  async deadLetterCount(): Promise<number> {
    return this.#options.database.transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ count: bigint }[]>`SELECT count(*) FROM dead_letter`;
      return Number(row?.count ?? 0);
    });
  }

  get #stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  async #consume(): Promise<void> {
    const { group, consumer, blockMs = 2000, logger } = this.#options;
    let failures = 0;
    let retriedAt = 0;
    let firstRound = true;
    while (!this.#stopped) {
      try {
        await this.#databaseDown;
        if (firstRound || Date.now() - retriedAt >= this.#retryAfterMs / 2) {
          await this.#retryPending(firstRound ? 'mine' : 'stale');
          retriedAt = Date.now();
          firstRound = false;
        }
        const count = await this.#freeSlots();
        if (this.#stopped) return;
        const reply = await this.#unlessStopped(
          this.#reader.xreadgroup(
            'GROUP',
            group,
            consumer,
            'COUNT',
            count,
            'BLOCK',
            blockMs,
            'STREAMS',
            ...this.#streams,
            ...this.#streams.map(() => '>'),
          ) as Promise<[stream: string, entries: StreamEntry[]][] | null>,
        );
        for (const [stream, entries] of reply ?? []) {
          for (const [id, fields] of entries) this.#dispatch({ stream, id, fields, deliveries: 1 });
        }
        if (failures > 0) logger.info({ group }, 'event consumer resumed');
        failures = 0;
      } catch (error) {
        if (this.#stopped) return;
        if (String(error).includes('NOGROUP')) {
          await this.#ensureGroups().catch(() => {});
          continue;
        }
        failures += 1;
        // One warning per outage, not one per attempt.
        if (failures === 1)
          logger.warn({ err: error, group }, 'event consumer cannot read; retrying');
        await this.#sleep(Math.min(maxBackoffMs, 50 * 2 ** failures));
      }
    }
  }

  /**
   * Retries pending events: at start, every event this consumer had pending ('mine');
   * afterwards, any event of the group left unacknowledged for `retryAfterMs` ('stale').
   * Each entry is looked at before it is claimed, so that a version this consumer does not
   * know stays with whoever can apply it.
   */
  async #retryPending(which: 'mine' | 'stale'): Promise<void> {
    const { redis, group, consumer } = this.#options;
    const minIdleMs = which === 'mine' ? 0 : this.#retryAfterMs;
    for (const stream of this.#streams) {
      let start = '-';
      for (;;) {
        const entries = (
          which === 'mine'
            ? await redis.xpending(stream, group, 'IDLE', minIdleMs, start, '+', 100, consumer)
            : await redis.xpending(stream, group, 'IDLE', minIdleMs, start, '+', 100)
        ) as PendingEntry[];
        for (const [id, , , deliveries] of entries) {
          if (this.#stopped) return;
          if (this.#inFlight.has(`${stream} ${id}`)) continue;
          const [found] = (await redis.xrange(stream, id, id)) as StreamEntry[];
          const fields = found?.[1] ?? null;
          if (fields && this.#decide(fields).action === 'leave') continue;
          // XCLAIM is atomic: of several consumers retrying the same event, one gets it. An
          // entry trimmed away needs no claim: recording it is idempotent.
          if (fields && (await redis.xclaim(stream, group, consumer, minIdleMs, id)).length === 0)
            continue;
          await this.#freeSlots();
          this.#dispatch({ stream, id, fields, deliveries: deliveries + 1 });
        }
        if (entries.length < 100) break;
        start = `(${entries.at(-1)![0]}`;
      }
    }
  }

  /** Resolves with how many more entries may be taken, once there is room for at least one. */
  async #freeSlots(): Promise<number> {
    while (this.#inFlight.size >= this.#concurrency && !this.#stopped) {
      await new Promise<void>((resolve) => {
        this.#slotFreed = resolve;
      });
    }
    return this.#concurrency - this.#inFlight.size;
  }

  /** Queues an entry behind the earlier events of its order, and returns at once. */
  #dispatch(entry: Entry): void {
    const key = `${entry.stream} ${entry.id}`;
    if (this.#inFlight.has(key)) return;
    this.#inFlight.add(key);
    const decision: Decision<Tx> = entry.fields
      ? this.#decide(entry.fields)
      : {
          action: 'dead-letter',
          reason: 'The entry was trimmed from the stream before this group applied it.',
        };
    const lane = decision.action === 'apply' ? decision.event.correlationId : key;
    const done = (this.#lanes.get(lane) ?? Promise.resolve())
      .then(() => this.#withTurn(() => this.#process(entry, decision)))
      .catch((error: unknown) => {
        // Only Redis or the database failing for good gets here; the entry stays pending.
        this.#options.logger.warn(
          { err: error, stream: entry.stream, id: entry.id },
          'event left pending; will retry',
        );
      })
      .finally(() => {
        this.#inFlight.delete(key);
        if (this.#lanes.get(lane) === done) this.#lanes.delete(lane);
        this.#slotFreed?.();
        this.#slotFreed = undefined;
      });
    this.#lanes.set(lane, done);
  }

  /**
   * Runs `work` once fewer than `concurrency` events are being applied. (One read may hand
   * over up to `concurrency` entries of each stream, so entries in hand can be more.)
   */
  async #withTurn<R>(work: () => Promise<R>): Promise<R> {
    while (this.#applying >= this.#concurrency)
      await new Promise<void>((resolve) => this.#waitingToApply.push(resolve));
    this.#applying += 1;
    try {
      return await work();
    } finally {
      this.#applying -= 1;
      this.#waitingToApply.shift()?.();
    }
  }

  #decide(fields: readonly string[]): Decision<Tx> {
    const type = streamField(fields, 'type');
    const versions = type === undefined ? undefined : this.#subscriptions.get(type);
    if (!versions) return { action: 'ignore' };
    try {
      const envelope = parseEnvelope(streamField(fields, 'envelope') ?? '');
      const subscription = versions.get(envelope.version);
      if (!subscription) {
        if (envelope.version > Math.max(...versions.keys()))
          return { action: 'leave', version: envelope.version };
        throw new Error(`No handler for version ${envelope.version} of ${type}.`);
      }
      const payload = subscription.definition.payload.parse(envelope.payload);
      return { action: 'apply', event: { ...envelope, payload }, subscription };
    } catch (error) {
      return {
        action: 'dead-letter',
        reason: error instanceof Error ? error.message : String(error),
      };
    }
  }

  async #process(entry: Entry, decision: Decision<Tx>): Promise<void> {
    switch (decision.action) {
      case 'ignore':
        return this.#acknowledge(entry);
      case 'leave':
        this.#options.logger.info(
          { stream: entry.stream, id: entry.id, version: decision.version },
          'event of a newer version left for a replica that knows it',
        );
        return;
      case 'dead-letter':
        return this.#whileDatabaseDown(() => this.#deadLetter(entry, decision.reason));
      case 'apply':
        return this.#traced(entry, decision.event, () =>
          this.#apply(entry, decision.event, decision.subscription),
        );
    }
  }

  /**
   * Applies an event in a consumer span of its own (a new trace: the consumer acts later, on
   * its own schedule) linked to the span that produced the event, if its envelope says which;
   * every log line written meanwhile carries the event's correlation id.
   */
  #traced(entry: Entry, event: EventEnvelope, apply: () => Promise<void>): Promise<void> {
    const producer = trace.getSpanContext(contextFrom(event.traceContext));
    const links: Link[] = producer ? [{ context: producer }] : [];
    const attributes = {
      'messaging.system': 'redis',
      'messaging.operation.type': 'process',
      'messaging.destination.name': entry.stream,
      'messaging.consumer.group.name': this.#options.group,
      'messaging.message.id': event.id,
      'baedal.event.type': event.type,
      'baedal.correlation_id': event.correlationId,
    };
    return withLogFields({ correlationId: event.correlationId }, () =>
      inSpan(
        `process ${event.type}`,
        { kind: SpanKind.CONSUMER, root: true, links, attributes },
        apply,
      ),
    );
  }

  async #apply(entry: Entry, event: EventEnvelope, subscription: Subscription<Tx>): Promise<void> {
    const { logger, database, group } = this.#options;
    const context = { eventId: event.id, type: event.type, correlationId: event.correlationId };
    let conflicts = 0;
    const outcome = await this.#whileDatabaseDown(async () => {
      for (;;) {
        try {
          return await database.transaction(async (tx) => {
            const first = await tx.$executeRaw`
              INSERT INTO processed_event (event_id) VALUES (${event.id}::uuid) ON CONFLICT DO NOTHING`;
            if (first === 0) return 'already applied';
            await subscription.handle(event, tx);
            return 'applied';
          });
        } catch (error) {
          if (!isConflict(error) || ++conflicts >= conflictAttempts) throw error;
          // Ordinary under concurrency (a command saved the same order first): apply it to the fresh state.
          logger.debug(
            { ...context, group, conflicts },
            'event met a concurrent change; applying it again',
          );
        }
      }
    }).catch(async (error: unknown) => {
      if (this.#stopped) return 'stopped';
      failSpan(trace.getActiveSpan(), error);
      this.#metrics?.failed.inc({ type: event.type });
      if (entry.deliveries >= this.#maxDeliveries)
        await this.#whileDatabaseDown(() => this.#deadLetter(entry, describe(error)));
      else
        logger.warn(
          { err: error, ...context, group, deliveries: entry.deliveries },
          'event handler failed; will retry',
        );
      return 'failed';
    });
    if (outcome === 'failed' || outcome === 'stopped') return;
    if (outcome === 'applied') {
      this.#metrics?.applied.inc({ type: event.type });
      logger.debug({ eventId: event.id, type: event.type, group }, 'event applied');
    }
    await this.#acknowledge(entry);
  }

  /**
   * Runs `work`; if it fails while the database is unreachable, pauses every lane until the
   * database answers again and runs it again (once the consumer is stopping, it throws
   * instead: the event stays pending). Any other failure is thrown.
   */
  async #whileDatabaseDown<R>(work: () => Promise<R>): Promise<R> {
    for (;;) {
      await this.#databaseDown;
      try {
        return await work();
      } catch (error) {
        if (this.#stopped || (await this.#databaseReachable())) throw error;
        this.#pauseUntilDatabaseAnswers(error);
      }
    }
  }

  #pauseUntilDatabaseAnswers(cause: unknown): void {
    const { logger, group } = this.#options;
    this.#databaseDown ??= (async () => {
      logger.warn({ err: cause, group }, 'database unreachable; pausing event consumption');
      while (!this.#stopped && !(await this.#databaseReachable()))
        await this.#sleep(databasePollMs);
      logger.info({ group }, 'database reachable again; resuming event consumption');
      this.#databaseDown = undefined;
    })();
  }

  #databaseReachable(): Promise<boolean> {
    return this.#options.database.ping().then(
      () => true,
      () => false,
    );
  }

  /**
   * Settles as `read` does, or with null as soon as the consumer stops. Stopping closes the
   * reading connection, and ioredis never settles a command on a connection closed while it
   * was reconnecting (Redis down): waiting for the read would never end. Whatever a read
   * abandoned this way delivered stays pending in the group, for this consumer to take up
   * again when it starts or for another to claim.
   */
  #unlessStopped<T>(read: Promise<T>): Promise<T | null> {
    const signal = this.#stop.signal;
    return new Promise((resolve, reject) => {
      const stop = () => resolve(null);
      if (signal.aborted) stop();
      signal.addEventListener('abort', stop, { once: true });
      // Once stopped, a late failure of the read settles nothing: nobody waits for it.
      read.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
    });
  }

  /** Waits, unless the consumer is stopped first. */
  #sleep(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.#stop.signal }).catch(() => {});
  }

  async #acknowledge(entry: Entry): Promise<void> {
    // If this fails (Redis went away), the entry stays pending: retried, it finds its event
    // already applied and is acknowledged then.
    await this.#options.redis.xack(entry.stream, this.#options.group, entry.id);
  }

  async #deadLetter(entry: Entry, reason: string): Promise<void> {
    const { logger, database, group } = this.#options;
    const type = streamField(entry.fields, 'type') ?? null;
    await database.transaction((tx) =>
      recordDeadLetter(tx, {
        stream: entry.stream,
        entryId: entry.id,
        type,
        envelope: streamField(entry.fields, 'envelope') ?? null,
        error: reason,
        deliveries: entry.deliveries,
      }),
    );
    await this.#acknowledge(entry);
    this.#metrics?.deadLettered.inc({ type: type ?? 'unknown' });
    logger.error(
      { stream: entry.stream, id: entry.id, group, type, deliveries: entry.deliveries, reason },
      'event set aside as a dead letter (npm run events -- dead-letters)',
    );
  }

  async #ensureGroups(): Promise<void> {
    const { redis, group, logger } = this.#options;
    for (const stream of this.#streams) {
      try {
        // From the start of the stream: a subgraph deployed after others have published still
        // sees every event that is retained, and a group Redis lost reads what the relay
        // publishes again.
        await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
        if (this.#running)
          logger.warn(
            { stream, group },
            'consumer group was missing (Redis lost it); created it again',
          );
      } catch (error) {
        if (!String(error).includes('BUSYGROUP')) throw error;
      }
    }
  }
}

/** A concurrent change to the same aggregate: applying the event again will succeed. */
function isConflict(error: unknown): boolean {
  return error instanceof ConflictError;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The consumer's metrics; gauges are read from Redis and the database when scraped. */
function consumerMetrics(
  registry: Registry,
  group: string,
  sources: {
    progress: () => Promise<{ stream: string; lag: number; pending: number }[]>;
    deadLetters: () => Promise<number>;
  },
) {
  const registers = [registry];
  const labelNames = ['stream', 'group'] as const;
  new Gauge({
    name: 'baedal_events_consumer_lag',
    help: 'Entries of a stream not yet delivered to this subgraph’s consumer group.',
    labelNames,
    registers,
    async collect() {
      this.reset();
      for (const { stream, lag } of await sources.progress().catch(() => []))
        this.set({ stream, group }, lag);
    },
  });
  new Gauge({
    name: 'baedal_events_consumer_pending',
    help: 'Entries delivered to this subgraph’s consumer group and not yet acknowledged.',
    labelNames,
    registers,
    async collect() {
      this.reset();
      for (const { stream, pending } of await sources.progress().catch(() => []))
        this.set({ stream, group }, pending);
    },
  });
  new Gauge({
    name: 'baedal_events_dead_letters',
    help: 'Dead letters waiting in this subgraph’s database (npm run events -- dead-letters).',
    registers,
    async collect() {
      this.reset();
      const count = await sources.deadLetters().catch(() => undefined);
      if (count !== undefined) this.set(count);
    },
  });
  return {
    applied: new Counter({
      name: 'baedal_events_applied_total',
      help: 'Events this subgraph applied, by type (a redelivered event already applied is not counted).',
      labelNames: ['type'] as const,
      registers,
    }),
    failed: new Counter({
      name: 'baedal_events_failed_total',
      help: 'Attempts to apply an event that failed, by type (each is retried or dead-lettered).',
      labelNames: ['type'] as const,
      registers,
    }),
    deadLettered: new Counter({
      name: 'baedal_events_dead_lettered_total',
      help: 'Events set aside as dead letters, by type.',
      labelNames: ['type'] as const,
      registers,
    }),
  };
}
