import { DomainError } from '@baedal/domain';
import type { EventDefinition, EventEnvelope, PayloadOf } from '@baedal/event-bus';
import type { VerifiedViewer } from '@baedal/identity';
import type { Logger } from '@baedal/service-kit';
import { type ExecutionResult, type FieldNode, GraphQLError } from 'graphql';
import type { PayloadLoader, RunQuery } from './payload-loader.js';
import { type SourceQuery, sourceVariable } from './source-query.js';

/**
 * One kind of live subscription (one `Subscription` field): which events it follows, what a
 * subscriber gets first, and what each event becomes. `Event` is the union of the followed
 * event definitions of the catalog: `topicOf` and `onEvent` see their payloads, checked.
 */
export interface LiveFeed<Args, Event extends EventDefinition<unknown>> {
  /** The `Subscription` field. */
  readonly field: string;
  /** The `Query` field whose answer is the payload; the subscriber's selection runs on it. */
  readonly source: string;
  /** Fields the router selects beside the subscriber's, for its own use; removed before sending. */
  readonly extraFields?: readonly FieldNode[];
  /**
   * The events it follows, by type: an event of another version of one of these types is
   * read with this version's payload schema, and skipped if it does not fit.
   */
  readonly events: readonly Event[];
  /** The topic a subscription with these arguments listens to. */
  topic(args: Args): string;
  /** The topic of an event of one of the followed types. */
  topicOf(payload: PayloadOf<Event>): string;
  /**
   * Starts a subscription: checks its arguments and the viewer's right to it, and sends what
   * comes first. Throwing (a `DomainError`, or `GraphQLError`s) refuses the subscription.
   */
  open(subscription: LiveSubscription<Args>): Promise<void>;
  /** Turns one event on the subscription's topic into payloads (or none). */
  onEvent(
    subscription: LiveSubscription<Args>,
    event: EventEnvelope<PayloadOf<Event>>,
  ): Promise<void>;
}

/** A feed of any arguments and events, as the live layer holds them side by side. */
// biome-ignore lint/suspicious/noExplicitAny: each feed checks its own arguments and events.
export type AnyLiveFeed = LiveFeed<any, EventDefinition<any>>;

/** Declares a feed, inferring its arguments and the payloads of its events. */
export function defineFeed<Args, Event extends EventDefinition<unknown>>(
  feed: LiveFeed<Args, Event>,
): LiveFeed<Args, Event> {
  return feed;
}

/**
 * Where a subscription's results go: a client's socket, through the transport's adapter. A
 * result arrives serialized (the JSON of `{ data, errors }`), once for every subscriber that
 * shares it.
 */
export interface LiveSink {
  send(result: string): void;
  /** Results handed to the transport and not yet written out, and their bytes. */
  backlog(): { readonly results: number; readonly bytes: number };
  /** Disconnects the client: it does not read what it subscribed to. */
  tooSlow(): void;
}

export interface LiveSubscriptionOptions<Args> {
  readonly feed: LiveFeed<Args, EventDefinition<unknown>>;
  readonly args: Args;
  readonly source: SourceQuery;
  /** The subscription's own variables that the source query uses. */
  readonly variables: Record<string, unknown>;
  readonly viewer: VerifiedViewer;
  readonly loader: PayloadLoader;
  readonly runQuery: RunQuery;
  readonly sink: LiveSink;
  /**
   * How far a client may fall behind before it is disconnected as too slow: results not yet
   * written to its socket, and events waiting to be handled for it.
   */
  readonly maxQueuedResults: number;
  /** Bytes written to the client's socket but not yet sent, at most. */
  readonly maxSocketBacklogBytes: number;
  /** Called once when the subscription ends, however it ends. */
  readonly onEnd: () => void;
  /** Called with the milliseconds from an event's arrival to a result of it handed to the sink. */
  readonly onDelivered: (milliseconds: number) => void;
  readonly logger: Logger;
}

/**
 * The serialized results, by the payload object they were made of. Subscribers with the same
 * source query, variables and viewer share one execution per event (`PayloadLoader`), hence
 * the same payload objects: the first to send one serializes it, the others send its bytes.
 */
const serialized = new WeakMap<object, string>();

/**
 * One subscription of one client. Events reach it in stream order and are handled one after
 * the other, so a client sees payloads in the order of the events; what comes first (`open`)
 * is handled before any event that arrived meanwhile.
 */
export class LiveSubscription<Args = Record<string, unknown>> {
  /** Feed-specific state, such as the last sequence number delivered. */
  readonly state: Record<string, unknown> = {};
  readonly #options: LiveSubscriptionOptions<Args>;
  /** What identifies this subscription's payload executions, but for the event and arguments. */
  readonly #loadKey: string;
  #work: Promise<void> = Promise.resolve();
  #pendingEvents = 0;
  #ended = false;
  /** When the event being handled arrived (`performance.now()`); none while opening. */
  #eventArrivedAt: number | undefined;

  constructor(options: LiveSubscriptionOptions<Args>) {
    this.#options = options;
    const { viewer, variables, source } = options;
    this.#loadKey = `${viewer.role}:${viewer.id}\n${JSON.stringify(variables)}\n${source.text}`;
  }

  get args(): Args {
    return this.#options.args;
  }

  get viewer(): VerifiedViewer {
    return this.#options.viewer;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Runs the feed's `open`; the caller listens to the topic first, and events that arrive
   * meanwhile wait for it. Resolves with the errors that refuse the subscription, or null.
   */
  async open(): Promise<readonly GraphQLError[] | null> {
    const opening = this.#options.feed.open(this);
    this.#work = opening.catch(() => {});
    try {
      await opening;
      return null;
    } catch (error) {
      this.end();
      return toGraphQLErrors(error);
    }
  }

  /**
   * Queues an event of the topic for handling after the ones before it. `arrivedAt`: when
   * the router read it (`performance.now()`), shared by every subscriber it is passed to.
   */
  receive(event: EventEnvelope, arrivedAt = performance.now()): void {
    if (this.#ended) return;
    if (++this.#pendingEvents > this.#options.maxQueuedResults) {
      this.#tooSlow();
      return;
    }
    this.#work = this.#work.then(async () => {
      this.#pendingEvents -= 1;
      if (this.#ended) return;
      this.#eventArrivedAt = arrivedAt;
      try {
        await this.#options.feed.onEvent(this, event);
      } catch (error) {
        this.#options.logger.error({ err: error, eventId: event.id }, 'a live payload failed');
        this.#send({ errors: toGraphQLErrors(error) });
      } finally {
        this.#eventArrivedAt = undefined;
      }
    });
  }

  /** Stops the subscription: it handles and sends nothing more. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#options.onEnd();
  }

  /** Resolves when every event received so far has been handled and its results written. */
  async drained(): Promise<void> {
    await this.#work;
    while (this.#options.sink.backlog().results > 0 && !this.#ended)
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
    const { loader, source, viewer } = this.#options;
    if (!eventId) return loader.load(source.text, variables, viewer);
    const key = `${eventId}\n${JSON.stringify(sourceArgs)}\n${this.#loadKey}`;
    return loader.load(source.text, variables, viewer, key);
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
   * Sends one payload of `result`, without the router's extra fields, with the errors of the
   * answer that concern it (`index`: its position when the answer is a list), as GraphQL
   * over HTTP would send partial data with its errors. Serialized once for all who send it.
   */
  emit(payload: Record<string, unknown>, result: ExecutionResult, index?: number): void {
    if (this.#ended) return;
    const backlog = this.#options.sink.backlog();
    if (
      backlog.results >= this.#options.maxQueuedResults ||
      backlog.bytes > this.#options.maxSocketBacklogBytes
    ) {
      this.#tooSlow();
      return;
    }
    let text = serialized.get(payload);
    if (text === undefined) {
      text = JSON.stringify(this.#clientResult(payload, result, index));
      serialized.set(payload, text);
    }
    this.#options.sink.send(text);
    if (this.#eventArrivedAt !== undefined) {
      this.#options.onDelivered(performance.now() - this.#eventArrivedAt);
    }
  }

  /** Sends the errors of an answer that has no payload at all; returns whether it had none. */
  emitErrorsWithoutPayload(result: ExecutionResult): boolean {
    if (this.payloadOf(result) != null) return false;
    this.#send({ errors: result.errors ?? [new GraphQLError('No payload.')] });
    return true;
  }

  #clientResult(payload: Record<string, unknown>, result: ExecutionResult, index?: number) {
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
    return { data: { [key]: clientPayload }, ...(errors.length > 0 && { errors }) };
  }

  #send(result: ExecutionResult): void {
    if (!this.#ended) this.#options.sink.send(JSON.stringify(result));
  }

  #tooSlow(): void {
    this.end();
    this.#options.sink.tooSlow();
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
