import { DomainError } from '@baedal/domain';
import type { EventDefinition, EventEnvelope } from '@baedal/event-bus';
import type { VerifiedViewer } from '@baedal/identity';
import type { Logger } from '@baedal/service-kit';
import { type ExecutionResult, type FieldNode, GraphQLError } from 'graphql';
import { LiveQueue } from './live-queue.js';
import type { PayloadLoader, RunQuery } from './payload-loader.js';
import { type SourceQuery, sourceVariable } from './source-query.js';

/**
 * One kind of live subscription (one `Subscription` field): which events it follows, what a
 * subscriber gets first, and what each event becomes.
 */
export interface LiveFeed<Args = Record<string, unknown>> {
  /** The `Subscription` field. */
  readonly field: string;
  /** The `Query` field whose answer is the payload; the subscriber's selection runs on it. */
  readonly source: string;
  /** Fields the router selects beside the subscriber's, for its own use; removed before sending. */
  readonly extraFields?: readonly FieldNode[];
  /** The events it follows (by type, any version): `topicOf` and `onEvent` see no others. */
  readonly events: readonly EventDefinition<unknown>[];
  /** The topic a subscription with these arguments listens to. */
  topic(args: Args): string;
  /** The topic of an event of one of the followed types. */
  topicOf(event: EventEnvelope): string;
  /**
   * Starts a subscription: checks its arguments and the viewer's right to it, and sends what
   * comes first. Throwing (a `DomainError`, or `GraphQLError`s) refuses the subscription.
   */
  open(subscription: LiveSubscription<Args>): Promise<void>;
  /** Turns one event on the subscription's topic into payloads (or none). */
  onEvent(subscription: LiveSubscription<Args>, event: EventEnvelope): Promise<void>;
}

/** Where subscriptions register for the topics they listen to. */
export interface Topics {
  add(topic: string, subscription: LiveSubscription<never>): void;
  remove(topic: string, subscription: LiveSubscription<never>): void;
}

export interface LiveSubscriptionOptions<Args> {
  readonly feed: LiveFeed<Args>;
  readonly args: Args;
  readonly source: SourceQuery;
  /** The subscription's own variables that the source query uses. */
  readonly variables: Record<string, unknown>;
  readonly viewer: VerifiedViewer;
  readonly loader: PayloadLoader;
  readonly runQuery: RunQuery;
  readonly topics: Topics;
  /**
   * How far a client may fall behind before it is disconnected as too slow: results queued
   * for it, and events waiting to be handled for it.
   */
  readonly maxQueuedResults: number;
  /** Bytes written to the client's socket but not yet sent, and the most allowed. */
  readonly socketBacklog: () => number;
  readonly maxSocketBacklogBytes: number;
  /** Disconnects the client (it is too slow). */
  readonly disconnect: () => void;
  readonly logger: Logger;
}

/**
 * One subscription of one client. Events reach it in stream order and are handled one after
 * the other, so a client sees payloads in the order of the events; what comes first (`open`)
 * is handled before any event that arrived meanwhile. The results go to `results`, which
 * graphql-ws reads.
 */
export class LiveSubscription<Args = Record<string, unknown>> {
  readonly results: LiveQueue<ExecutionResult>;
  /** Feed-specific state, such as the last sequence number delivered. */
  readonly state: Record<string, unknown> = {};
  readonly #options: LiveSubscriptionOptions<Args>;
  readonly #topic: string;
  #work: Promise<void> = Promise.resolve();
  #pendingEvents = 0;

  constructor(options: LiveSubscriptionOptions<Args>) {
    this.#options = options;
    this.#topic = options.feed.topic(options.args);
    this.results = new LiveQueue<ExecutionResult>(
      options.maxQueuedResults,
      options.disconnect,
      () => options.topics.remove(this.#topic, this as unknown as LiveSubscription<never>),
    );
  }

  get args(): Args {
    return this.#options.args;
  }

  get viewer(): VerifiedViewer {
    return this.#options.viewer;
  }

  /**
   * Listens to the topic, then runs the feed's `open`. Events that arrive meanwhile wait for
   * it. Resolves with the errors that refuse the subscription, or null.
   */
  async open(): Promise<readonly GraphQLError[] | null> {
    this.#options.topics.add(this.#topic, this as unknown as LiveSubscription<never>);
    const opening = this.#options.feed.open(this);
    this.#work = opening.catch(() => {});
    try {
      await opening;
      return null;
    } catch (error) {
      this.results.return();
      return toGraphQLErrors(error);
    }
  }

  /** Queues an event of the topic for handling after the ones before it. */
  receive(event: EventEnvelope): void {
    if (this.results.done) return;
    if (++this.#pendingEvents > this.#options.maxQueuedResults) {
      this.#tooSlow();
      return;
    }
    this.#work = this.#work.then(async () => {
      this.#pendingEvents -= 1;
      if (this.results.done) return;
      try {
        await this.#options.feed.onEvent(this, event);
      } catch (error) {
        this.#options.logger.error({ err: error, eventId: event.id }, 'a live payload failed');
        this.results.push({ errors: toGraphQLErrors(error) });
      }
    });
  }

  /** Resolves when every event received so far has been handled and its results read. */
  async drained(): Promise<void> {
    await this.#work;
    while (this.results.size > 0 && !this.results.done)
      await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /**
   * The source query's answer for these source arguments, as this subscription's viewer.
   * With `eventId`, the execution is shared by every subscriber of the same selection and
   * viewer handling the same event.
   */
  load(sourceArgs: Record<string, unknown>, eventId?: string): Promise<ExecutionResult> {
    const variables = { ...this.#options.variables };
    for (const [name, value] of Object.entries(sourceArgs)) variables[sourceVariable(name)] = value;
    return this.#options.loader.load(this.#options.source.text, variables, this.viewer, eventId);
  }

  /** Runs another query as this subscription's viewer (an access check, say). */
  query(text: string, variables: Record<string, unknown>): Promise<ExecutionResult> {
    return this.#options.runQuery(text, variables, this.viewer);
  }

  /** The payload(s) in a source query's answer: an object, a list, or null. */
  payloadOf(result: ExecutionResult): unknown {
    return result.data?.[this.#options.source.responseKey];
  }

  /**
   * Sends one payload, without the router's extra fields, with the errors of the answer that
   * concern it (`index`: its position when the answer is a list), as GraphQL over HTTP would
   * send partial data with its errors.
   */
  emit(payload: Record<string, unknown>, result: ExecutionResult, index?: number): void {
    if (this.#options.socketBacklog() > this.#options.maxSocketBacklogBytes) {
      this.#tooSlow();
      return;
    }
    const key = this.#options.source.responseKey;
    const clientPayload = { ...payload };
    for (const field of this.#options.feed.extraFields ?? [])
      delete clientPayload[field.alias?.value ?? field.name.value];
    const errors = (result.errors ?? [])
      .filter(
        (error) => error.path?.[0] === key && (index === undefined || error.path[1] === index),
      )
      .map(
        (error) =>
          new GraphQLError(error.message, {
            path: [key, ...(error.path ?? []).slice(index === undefined ? 1 : 2)],
            extensions: error.extensions,
          }),
      );
    this.results.push({ data: { [key]: clientPayload }, ...(errors.length > 0 && { errors }) });
  }

  /** Sends the errors of an answer that has no payload at all; returns whether it had none. */
  emitErrorsWithoutPayload(result: ExecutionResult): boolean {
    if (this.payloadOf(result) != null) return false;
    this.results.push({ errors: result.errors ?? [new GraphQLError('No payload.')] });
    return true;
  }

  #tooSlow(): void {
    this.results.return();
    this.#options.disconnect();
  }
}

/** A refusal as GraphQL errors: domain errors keep their code and details. */
export function toGraphQLErrors(error: unknown): GraphQLError[] {
  if (Array.isArray(error)) return error as GraphQLError[];
  if (error instanceof DomainError) {
    return [
      new GraphQLError(error.message, { extensions: { code: error.code, ...error.details } }),
    ];
  }
  if (error instanceof GraphQLError) return [error];
  return [
    new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
  ];
}
