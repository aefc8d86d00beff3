import { setTimeout as sleep } from 'node:timers/promises';
import {
  compareEntryIds,
  type EventDefinition,
  type EventEnvelope,
  eventStream,
  parseEnvelope,
  replyRecord,
  streamField,
} from '@baedal/event-bus';
import type { Logger } from '@baedal/service-kit';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/**
 * Follows the subgraphs' event streams from the moment it starts, for live updates. Every
 * router replica reads every stream itself (XREAD, no consumer group), because each must push
 * every event to its own subscribers. A replica that was down does not look back: its clients
 * reconnect to another or to it, and resume from their cursor (order feeds) or read the
 * current state again (store and rider feeds). An event published twice is passed on once.
 *
 * Only the streams of the followed events' producers are read, and an entry of any other type
 * is skipped by its `type` field, before its envelope is parsed.
 *
 * If Redis loses data, the producers' relays publish lost events again after the stream's
 * new end; after a failed read the feed moves back to where each stream now ends, so that it
 * reads them (events it already passed on are recognised by id).
 */
export class EventFeed implements AsyncDisposable {
  readonly #reader: Redis;
  readonly #streams: string[];
  readonly #types: ReadonlySet<string>;
  readonly #onEvent: (event: EventEnvelope) => void;
  readonly #logger: Logger;
  readonly #lastIds = new Map<string, string>();
  /** Ids of recent events: the outbox may publish an event twice (at least once). */
  readonly #seen = new LRUCache<string, true>({ max: 10_000 });
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;

  /** `redis` is used for blocking reads only: give the feed a connection of its own. */
  constructor(
    redis: Redis,
    options: {
      prefix: string;
      /** The events to pass on (by type, any version); their producers' streams are read. */
      events: readonly EventDefinition<unknown>[];
      onEvent: (event: EventEnvelope) => void;
      logger: Logger;
    },
  ) {
    this.#reader = redis;
    const producers = new Set(options.events.map((event) => event.producer));
    this.#streams = [...producers].map((producer) => eventStream(options.prefix, producer));
    this.#types = new Set(options.events.map((event) => event.type));
    this.#onEvent = options.onEvent;
    this.#logger = options.logger;
  }

  /** Notes where each stream ends now, then follows them in the background. */
  async start(): Promise<void> {
    for (const stream of this.#streams) {
      const [last] = (await this.#reader.xrevrange(stream, '+', '-', 'COUNT', 1)) as [
        string,
        string[],
      ][];
      this.#lastIds.set(stream, last?.[0] ?? '0-0');
    }
    this.#running ??= this.#follow();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#stop.abort();
    this.#reader.disconnect();
    await this.#running;
  }

  async #follow(): Promise<void> {
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      try {
        const reply = (await this.#reader.xread(
          'BLOCK',
          5000,
          'STREAMS',
          ...this.#streams,
          ...this.#streams.map((stream) => this.#lastIds.get(stream)!),
        )) as [string, [string, string[]][]][] | null;
        for (const [stream, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            this.#lastIds.set(stream, id);
            this.#deliver(fields);
          }
        }
        if (failures > 0) this.#logger.info('reading the event streams again');
        failures = 0;
      } catch (error) {
        if (this.#stop.signal.aborted) return;
        failures += 1;
        // One warning per outage, not one per attempt.
        if (failures === 1)
          this.#logger.warn({ err: error }, 'reading the event streams failed; retrying');
        // Disposing cuts the wait short.
        await sleep(Math.min(1000, 50 * 2 ** failures), undefined, {
          signal: this.#stop.signal,
        }).catch(() => {});
        await this.#followStreamEnds().catch(() => {});
      }
    }
  }

  /** Moves back to the end of any stream that now ends before the feed's position. */
  async #followStreamEnds(): Promise<void> {
    for (const stream of this.#streams) {
      const end = await this.#reader.xinfo('STREAM', stream).then(
        (info) => String(replyRecord(info as unknown[])['last-generated-id']),
        (error: unknown) => {
          if (String(error).includes('no such key')) return '0-0';
          throw error;
        },
      );
      if (compareEntryIds(end, this.#lastIds.get(stream)!) < 0) this.#lastIds.set(stream, end);
    }
  }

  #deliver(fields: string[]): void {
    const type = streamField(fields, 'type');
    if (type === undefined || !this.#types.has(type)) return;
    const raw = streamField(fields, 'envelope');
    try {
      const event = parseEnvelope(raw ?? '');
      if (this.#seen.has(event.id)) return;
      this.#seen.set(event.id, true);
      this.#onEvent(event);
    } catch (error) {
      // A malformed event is the producer's bug; consumers dead-letter it. Here it is skipped.
      this.#logger.warn({ err: error }, 'skipped an event the live layer could not read');
    }
  }
}
