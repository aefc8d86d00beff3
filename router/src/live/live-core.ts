import type { EventEnvelope } from '@baedal/event-bus';
import type { VerifiedViewer } from '@baedal/identity';
import type { Logger } from '@baedal/service-kit';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import type { Metrics } from '../metrics.js';
import type { AnyLiveFeed, LiveSink } from './live-subscription.js';
import { LiveSubscription } from './live-subscription.js';
import { PayloadLoader, type RunQuery } from './payload-loader.js';
import type { SourceQuery } from './source-query.js';

export interface LiveCoreOptions {
  readonly feeds: readonly AnyLiveFeed[];
  /** Runs an operation through the gateway as a viewer (payloads, access checks). */
  readonly runQuery: RunQuery;
  /** Results and events a client may fall behind by, before it is disconnected. */
  readonly maxQueuedResults: number;
  /** Bytes waiting in a client's socket before it counts as too slow. */
  readonly maxSocketBacklogBytes: number;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/** A subscription to open: a feed, its arguments, and how its payloads are resolved and sent. */
export interface LiveRequest {
  readonly feed: AnyLiveFeed;
  readonly args: Record<string, unknown>;
  readonly source: SourceQuery;
  /** The subscription's own variables that the source query uses. */
  readonly variables: Record<string, unknown>;
  readonly viewer: VerifiedViewer;
  readonly sink: LiveSink;
}

/**
 * The live layer without its transport: the feeds, the topics subscriptions listen to, and
 * the fan-out of events to them. It knows no sockets nor protocol; `startLiveServer` puts
 * graphql-ws over WebSocket in front of it.
 */
export class LiveCore {
  readonly #options: LiveCoreOptions;
  readonly #subscribers = new Map<string, Set<LiveSubscription>>();
  /** The feeds that follow each event type. */
  readonly #feedsByType = new Map<string, AnyLiveFeed[]>();
  readonly #loader: PayloadLoader;

  constructor(options: LiveCoreOptions) {
    this.#options = options;
    for (const feed of options.feeds) {
      for (const { type } of feed.events)
        this.#feedsByType.set(type, [...(this.#feedsByType.get(type) ?? []), feed]);
    }
    this.#loader = new PayloadLoader(options.runQuery, () =>
      options.metrics.livePayloadExecutions.inc(),
    );
  }

  /** The feed of a `Subscription` field. */
  feed(field: string): AnyLiveFeed | undefined {
    return this.#options.feeds.find((feed) => feed.field === field);
  }

  /**
   * Opens a subscription: it listens to its topic, then the feed's `open` runs (events that
   * arrive meanwhile wait for it). Resolves with the subscription, or the errors refusing it.
   */
  async subscribe(request: LiveRequest): Promise<LiveSubscription | readonly GraphQLError[]> {
    const { metrics, maxQueuedResults, maxSocketBacklogBytes, runQuery, logger } = this.#options;
    const topic = request.feed.topic(request.args);
    const subscription: LiveSubscription = new LiveSubscription({
      ...request,
      loader: this.#loader,
      runQuery,
      maxQueuedResults,
      maxSocketBacklogBytes,
      onDelivered: (milliseconds) => metrics.liveDeliverySeconds.observe(milliseconds / 1000),
      onEnd: () => {
        const set = this.#subscribers.get(topic);
        if (!set?.delete(subscription)) return;
        if (set.size === 0) this.#subscribers.delete(topic);
        metrics.liveSubscriptions.dec();
      },
      logger,
    });
    const set = this.#subscribers.get(topic) ?? new Set();
    set.add(subscription);
    this.#subscribers.set(topic, set);
    metrics.liveSubscriptions.inc();
    const refusal = await subscription.open();
    return refusal ?? subscription;
  }

  /**
   * Passes an event to the subscriptions of its topic in each feed that follows it. The
   * payload is checked against the feed's definition of its type, so feeds read it typed.
   */
  publish(event: EventEnvelope): void {
    for (const feed of this.#feedsByType.get(event.type) ?? []) {
      const definition = feed.events.find(({ type }) => type === event.type)!;
      const payload = definition.payload.safeParse(event.payload);
      if (!payload.success) {
        this.#options.logger.warn(
          { eventId: event.id, type: event.type, version: event.version, err: payload.error },
          'skipped a live event whose payload does not fit its definition',
        );
        continue;
      }
      const listening = this.#subscribers.get(feed.topicOf(payload.data));
      if (!listening?.size) continue;
      this.#options.metrics.liveEvents.inc();
      const checked = { ...event, payload: payload.data };
      const arrivedAt = performance.now();
      for (const subscription of listening) subscription.receive(checked, arrivedAt);
    }
  }

  /** Resolves when every subscription has handled what it received and written its results. */
  async drained(): Promise<void> {
    const all = [...this.#subscribers.values()].flatMap((set) => [...set]);
    await Promise.all(all.map((subscription) => subscription.drained()));
  }
}

/**
 * Checks that the feeds and the supergraph match: every `Subscription` field has a feed, and
 * every feed's field is a `Subscription` field with a `Query` source field. Throws, naming
 * each mismatch, so that a router with a supergraph it cannot serve fails at start-up.
 */
export function checkFeeds(schema: GraphQLSchema, feeds: readonly AnyLiveFeed[]): void {
  const subscriptionFields = Object.keys(schema.getSubscriptionType()?.getFields() ?? {});
  const queryFields = schema.getQueryType()?.getFields() ?? {};
  const problems = [
    ...subscriptionFields
      .filter((field) => !feeds.some((feed) => feed.field === field))
      .map((field) => `Subscription.${field} has no live feed`),
    ...feeds
      .filter((feed) => !subscriptionFields.includes(feed.field))
      .map((feed) => `the live feed ${feed.field} has no Subscription.${feed.field}`),
    ...feeds
      .filter((feed) => !(feed.source in queryFields))
      .map((feed) => `the live feed ${feed.field} has no source field Query.${feed.source}`),
  ];
  if (problems.length > 0) {
    throw new Error(
      `The live feeds do not match the supergraph: ${problems.join('; ')}. Add or remove the feed in router/src/live/live-feeds.ts, or compose the supergraph again.`,
    );
  }
}
