import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger, SqlClient } from './database.js';
import { type EventDefinition, type EventEnvelope, parseEnvelope } from './envelope.js';
import type { UnitOfWork } from './outbox.js';
import { deadLetterStream, eventStream, streamField } from './streams.js';

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
  /** Used for acknowledgements and claims; the consumer opens its own connection for blocking reads. */
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
  /** Deliveries after which a failing event goes to the dead-letter stream. Default 5. */
  readonly maxDeliveries?: number;
  /**
   * How long a delivered, unacknowledged event waits before it is tried again, by this or
   * any other consumer of the group (a consumer that died leaves its events there). Default 5000 ms.
   */
  readonly retryAfterMs?: number;
  /** How long one read waits for new events. Default 2000 ms. */
  readonly blockMs?: number;
  /** Events read at a time. Default 10. */
  readonly batchSize?: number;
}

type PendingEntry = [id: string, consumer: string, idleMs: number, deliveries: number];
type StreamEntry = [id: string, fields: string[] | null];

/**
 * Reads a subgraph's subscriptions from Redis Streams in its consumer group and applies each
 * event at least once and its effects exactly once: the handler and the insert of the event's
 * id into `processed_event` commit together, and the entry is acknowledged only after commit.
 *
 * - An event whose handler throws stays pending and is retried after `retryAfterMs`; after
 *   `maxDeliveries` deliveries it is copied to the group's dead-letter stream and acknowledged.
 * - If the database itself is unreachable the consumer pauses instead: an outage is not the
 *   event's fault and must not push healthy events into the dead-letter stream.
 * - A malformed event, or a version this subgraph does not know, is dead-lettered at once.
 * - Events of types no subscription names are acknowledged and ignored.
 */
export class EventConsumer<Tx extends SqlClient> implements AsyncDisposable {
  readonly #options: ConsumerOptions<Tx>;
  readonly #reader: Redis;
  readonly #streams: string[];
  readonly #subscriptions = new Map<string, Map<number, Subscription<Tx>>>();
  readonly #maxDeliveries: number;
  readonly #retryAfterMs: number;
  readonly #deadLetters: string;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;

  constructor(options: ConsumerOptions<Tx>) {
    this.#options = options;
    this.#reader = options.redis.duplicate();
    this.#maxDeliveries = options.maxDeliveries ?? 5;
    this.#retryAfterMs = options.retryAfterMs ?? 5000;
    this.#deadLetters = deadLetterStream(options.prefix, options.group);
    const streams = new Set<string>();
    for (const subscription of options.subscriptions) {
      const { producer, type, version } = subscription.definition;
      streams.add(eventStream(options.prefix, producer));
      const versions = this.#subscriptions.get(type) ?? new Map();
      versions.set(version, subscription);
      this.#subscriptions.set(type, versions);
    }
    this.#streams = [...streams];
  }

  /** Creates the consumer group where missing, then consumes in the background. */
  async start(): Promise<void> {
    await this.#ensureGroups();
    this.#running ??= this.#consume();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#stop.abort();
    this.#reader.disconnect();
    await this.#running;
  }

  get #stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  async #consume(): Promise<void> {
    const { group, consumer, blockMs = 2000, batchSize = 10, logger } = this.#options;
    let failures = 0;
    let retriedAt = 0;
    let firstRound = true;
    while (!this.#stopped) {
      try {
        if (firstRound || Date.now() - retriedAt >= this.#retryAfterMs / 2) {
          await this.#retryPending(firstRound ? 'mine' : 'stale');
          retriedAt = Date.now();
          firstRound = false;
        }
        const reply = (await this.#reader.xreadgroup(
          'GROUP',
          group,
          consumer,
          'COUNT',
          batchSize,
          'BLOCK',
          blockMs,
          'STREAMS',
          ...this.#streams,
          ...this.#streams.map(() => '>'),
        )) as [stream: string, entries: StreamEntry[]][] | null;
        for (const [stream, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            if (this.#stopped) return;
            await this.#deliver(stream, id, fields, 1);
          }
        }
        failures = 0;
      } catch (error) {
        if (this.#stopped) return;
        if (String(error).includes('NOGROUP')) {
          // The stream or group vanished (a Redis without persistence restarted): recreate.
          await this.#ensureGroups().catch(() => {});
          continue;
        }
        failures += 1;
        logger.error({ err: error, group }, 'event consumer failed; will retry');
        await this.#sleep(Math.min(30_000, 250 * 2 ** failures));
      }
    }
  }

  /**
   * Retries pending events: at start, every event this consumer had pending ('mine');
   * afterwards, any event of the group left unacknowledged for `retryAfterMs` ('stale').
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
          // XCLAIM is atomic: of several consumers retrying the same event, one gets it.
          const claimed = (await redis.xclaim(
            stream,
            group,
            consumer,
            minIdleMs,
            id,
          )) as StreamEntry[];
          const fields = claimed[0]?.[1];
          if (fields) await this.#deliver(stream, id, fields, deliveries + 1);
        }
        if (entries.length < 100) break;
        start = `(${entries.at(-1)![0]}`;
      }
    }
  }

  async #deliver(
    stream: string,
    id: string,
    fields: string[] | null,
    deliveries: number,
  ): Promise<void> {
    const { logger, database } = this.#options;
    const type = streamField(fields, 'type');
    const raw = streamField(fields, 'envelope') ?? '';
    const versions = type === undefined ? undefined : this.#subscriptions.get(type);
    if (!versions) {
      await this.#acknowledge(stream, id);
      return;
    }

    let event: EventEnvelope;
    let subscription: Subscription<Tx> | undefined;
    try {
      const envelope = parseEnvelope(raw);
      subscription = versions.get(envelope.version);
      if (!subscription) throw new Error(`No handler for version ${envelope.version} of ${type}.`);
      event = { ...envelope, payload: subscription.definition.payload.parse(envelope.payload) };
    } catch (error) {
      await this.#deadLetter(stream, id, raw, error, deliveries);
      return;
    }

    try {
      await database.transaction(async (tx) => {
        const first = await tx.$executeRaw`
          INSERT INTO processed_event (event_id) VALUES (${event.id}::uuid) ON CONFLICT DO NOTHING`;
        if (first === 1) await subscription.handle(event, tx);
      });
      await this.#acknowledge(stream, id);
    } catch (error) {
      const reachable = await database.ping().then(
        () => true,
        () => false,
      );
      if (!reachable) {
        // Leave the event pending; it is retried once the database is back.
        logger.warn(
          { err: error, eventId: event.id },
          'database unreachable; pausing event consumption',
        );
        await this.#waitForDatabase();
      } else if (deliveries >= this.#maxDeliveries) {
        await this.#deadLetter(stream, id, raw, error, deliveries);
      } else {
        logger.warn(
          { err: error, eventId: event.id, type: event.type, deliveries },
          'event handler failed; will retry',
        );
      }
    }
  }

  async #waitForDatabase(): Promise<void> {
    for (let attempt = 1; !this.#stopped; attempt++) {
      await this.#sleep(Math.min(30_000, 250 * 2 ** attempt));
      if (
        await this.#options.database.ping().then(
          () => true,
          () => false,
        )
      )
        return;
    }
  }

  /** Waits, unless the consumer is stopped first. */
  #sleep(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.#stop.signal }).catch(() => {});
  }

  async #acknowledge(stream: string, id: string): Promise<void> {
    await this.#options.redis.xack(stream, this.#options.group, id);
  }

  async #deadLetter(stream: string, id: string, raw: string, error: unknown, deliveries: number) {
    const { redis, group, logger } = this.#options;
    const reason = error instanceof Error ? error.message : String(error);
    await redis.xadd(
      this.#deadLetters,
      '*',
      'stream',
      stream,
      'id',
      id,
      'group',
      group,
      'deliveries',
      String(deliveries),
      'error',
      reason,
      'envelope',
      raw,
    );
    await this.#acknowledge(stream, id);
    logger.error(
      { stream, id, group, deliveries, reason },
      'event moved to the dead-letter stream',
    );
  }

  async #ensureGroups(): Promise<void> {
    for (const stream of this.#streams) {
      try {
        // From the start of the stream: a subgraph deployed after others have published still
        // sees every event that is retained.
        await this.#options.redis.xgroup('CREATE', stream, this.#options.group, '0', 'MKSTREAM');
      } catch (error) {
        if (!String(error).includes('BUSYGROUP')) throw error;
      }
    }
  }
}
