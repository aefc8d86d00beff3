import type { Server } from 'node:http';
import type { UserTokenVerifier, VerifiedViewer } from '@baedal/identity';
import type { Logger } from '@baedal/service-kit';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  getVariableValues,
  Kind,
  parse,
  specifiedRules,
  type ValidationRule,
  validate,
} from 'graphql';
import { getArgumentValues } from 'graphql/execution/values.js';
import { CloseCode } from 'graphql-ws';
// Renamed: the linter takes any use* function for a React hook.
import { useServer as serveGraphqlWs } from 'graphql-ws/use/ws';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { type WebSocket, WebSocketServer } from 'ws';
import { bearerToken } from '../context.js';
import { checkInput } from '../input-checks.js';
import type { Metrics } from '../metrics.js';
import { parseOperation } from '../operation-limits.js';
import { EventFeed } from './event-feed.js';
import { checkFeeds, LiveCore } from './live-core.js';
import { liveFeeds } from './live-feeds.js';
import type { LiveLimits } from './live-limits.js';
import {
  type AnyLiveFeed,
  type LiveSink,
  LiveSubscription,
  toGraphQLErrors,
} from './live-subscription.js';
import type { RunQuery } from './payload-loader.js';
import { type SourceQuery, toSourceQuery } from './source-query.js';

/** WebSocket close codes of the live layer's own, beside graphql-ws's `CloseCode`. */
enum LiveCloseCode {
  /** The client does not read what it subscribed to. */
  TooSlow = 1008,
  /** The replica holds as many connections as it may: try again later, or another replica. */
  TryAgainLater = 1013,
  /**
   * The person holds as many connections as they may, or floods one with subscriptions
   * (HTTP 429, as graphql-ws maps codes).
   */
  TooManyConnections = 4429,
}
/** The largest message a client may send, before or after signing in (as over HTTP). */
const maxMessageBytes = 100 * 1024;
/** Bytes waiting in a client's socket before it counts as too slow. */
const maxSocketBacklogBytes = 1024 * 1024;
/** The answer to a subscription whose connection closed before it could open. */
const connectionClosed = new GraphQLError('The connection closed.');
/** How long a closing socket may take to answer the close handshake before it is cut. */
const closeGraceMs = 1000;

export interface LiveServerOptions {
  /** The router's HTTP server: subscriptions share its `/graphql` endpoint. */
  readonly httpServer: Server;
  readonly path: string;
  /** The supergraph's API schema, as the gateway loaded it. */
  readonly schema: () => GraphQLSchema;
  /** Runs an operation through the gateway as a viewer (payloads, access checks, queries). */
  readonly runQuery: RunQuery;
  readonly verifier: UserTokenVerifier;
  /** A Redis connection for the live layer's blocking stream reads alone. */
  readonly redis: Redis;
  readonly streamPrefix: string;
  /** The same limits as over HTTP (graphql-armor's rules; the token limit is `parseOperation`'s). */
  readonly validationRules: readonly ValidationRule[];
  /** Ping interval; a client that does not answer a ping within it is disconnected. */
  readonly keepAliveMs: number;
  /** Results not yet written to a client (and events not yet handled for it) before it is cut off. */
  readonly maxQueuedResults: number;
  /** How long shutdown waits for payloads under way to be sent before closing sockets. */
  readonly drainTimeoutMs: number;
  /** Sockets this replica holds at most, everyone's together, signed in or not. */
  readonly maxConnections: number;
  /** What one person may hold and start (connections, subscriptions, a rate). */
  readonly limits: LiveLimits;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

interface Connection {
  readonly viewer: VerifiedViewer;
  readonly expiry: NodeJS.Timeout;
  /** Gives the person's connection back to `limits`. */
  readonly release: () => void;
}

/** Whose limits a viewer counts against. */
const personOf = (viewer: VerifiedViewer) => `${viewer.role}:${viewer.id}`;

interface LiveContext {
  readonly viewer: VerifiedViewer;
  readonly socket: WebSocket;
  /** The operation's id on the connection, and the connection's operations under way. */
  readonly id: string;
  readonly operations: Record<string, unknown>;
  /**
   * The operation as the client sent it: the key of its rewritten source query, and what a
   * query or mutation sent over the socket runs through the gateway.
   */
  readonly query: string;
}

/**
 * Subscriptions at the router, over graphql-ws on the `/graphql` endpoint: a thin adapter of
 * graphql-ws (`useServer`) over `LiveCore`, which follows the subgraphs' event streams and
 * fans each event out to its subscribers. This side does the transport: sign-in, limits,
 * parsing and checking operations, and writing results to sockets. Queries and mutations
 * sent over the socket go through the gateway.
 *
 * A connection must carry a valid bearer token in its connection parameters
 * (`{ authorization: "Bearer <token>" }`); it is closed with 4401 when the token expires, and
 * from then on may do nothing. Disposing stops taking connections and reading events, waits
 * until the payloads under way are sent (up to `drainTimeoutMs`), then closes every socket
 * with 1001 (going away). Fails at once if the supergraph's subscriptions and the feeds differ.
 */
export async function startLiveServer(options: LiveServerOptions): Promise<AsyncDisposable> {
  const { metrics, logger } = options;
  checkFeeds(options.schema(), liveFeeds);
  const connections = new WeakMap<WebSocket, Connection>();
  const core = new LiveCore({
    feeds: liveFeeds,
    runQuery: options.runQuery,
    maxQueuedResults: options.maxQueuedResults,
    maxSocketBacklogBytes,
    metrics,
    logger,
  });
  const sourceQueries = new LRUCache<string, SourceQuery>({ max: 1000 });
  /**
   * Operations by their text, parsed and checked against the limits (or refused), as Apollo's
   * document store keeps them over HTTP: many clients send the same few operations, and a
   * client that floods sends one over and over. Bounded by the texts' total length.
   */
  const documents = new LRUCache<
    string,
    { schema: GraphQLSchema; checked: DocumentNode | GraphQLError[] }
  >({ maxSize: 10 * 1024 * 1024, sizeCalculation: (_, text) => Math.max(1, text.length) });

  function checkedDocument(schema: GraphQLSchema, text: string): DocumentNode | GraphQLError[] {
    const cached = documents.get(text);
    if (cached?.schema === schema) return cached.checked;
    const document = parseOperation(text);
    let checked: DocumentNode | GraphQLError[];
    if (document instanceof GraphQLError) checked = [document];
    else {
      const errors = validate(schema, document, [...specifiedRules, ...options.validationRules]);
      checked = errors.length > 0 ? errors.map(asValidationError) : document;
    }
    documents.set(text, { schema, checked });
    return checked;
  }
  let draining = false;

  const events = new EventFeed(options.redis, {
    prefix: options.streamPrefix,
    events: liveFeeds.flatMap((feed) => feed.events),
    onEvent: (event) => core.publish(event),
    logger,
  });
  await events.start();

  /** The source query of a subscription: rewritten once per distinct operation, and checked. */
  function sourceQueryOf(args: ExecutionArgs, feed: AnyLiveFeed): SourceQuery {
    const key = `${args.operationName ?? ''}\n${(args.contextValue as LiveContext).query}`;
    const cached = sourceQueries.get(key);
    if (cached) return cached;
    const source = toSourceQuery(
      args.schema,
      args.document,
      args.operationName,
      feed.source,
      feed.extraFields,
    );
    // Payloads run the rewritten query: it must pass the same limits, or every payload would fail.
    const errors = validate(args.schema, parse(source.text), [
      ...specifiedRules,
      ...options.validationRules,
    ]);
    if (errors.length > 0) throw errors.map(asValidationError);
    sourceQueries.set(key, source);
    return source;
  }

  async function subscribe(
    args: ExecutionArgs,
  ): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>> {
    const context = args.contextValue as LiveContext;
    const { viewer, socket } = context;
    const operation = getOperationAST(args.document, args.operationName)!;
    const root = operation.selectionSet.selections[0];
    const feed = root?.kind === Kind.FIELD ? core.feed(root.name.value) : undefined;
    if (root?.kind !== Kind.FIELD || !feed) {
      const error = new GraphQLError('Select one subscription field directly.', {
        extensions: { code: 'BAD_USER_INPUT' },
      });
      return { errors: [error] };
    }
    const variables = getVariableValues(
      args.schema,
      operation.variableDefinitions ?? [],
      args.variableValues ?? {},
    );
    if (variables.errors) return { errors: variables.errors };
    let source: SourceQuery;
    try {
      source = sourceQueryOf(args, feed);
    } catch (error) {
      return { errors: toGraphQLErrors(error) };
    }
    const field = args.schema.getSubscriptionType()!.getFields()[root.name.value]!;
    const rawVariables = (args.variableValues ?? {}) as Record<string, unknown>;
    const opened = await options.limits.serially(personOf(viewer), async () =>
      // Queued behind the person's other openings: the client may have gone meanwhile.
      socket.readyState === socket.OPEN
        ? core.subscribe({
            feed,
            args: getArgumentValues(field, root, variables.coerced),
            source,
            variables: Object.fromEntries(
              source.variableNames.map((name) => [name, rawVariables[name]]),
            ),
            viewer,
            sink: socketSink(context),
          })
        : [connectionClosed],
    );
    return opened instanceof LiveSubscription ? new Running(opened) : { errors: [...opened] };
  }

  const server = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: maxMessageBytes,
  });
  // Counted before sign-in: unauthenticated sockets take memory too (for up to 3 s).
  server.on('connection', (socket) => {
    if (server.clients.size > options.maxConnections) {
      closeSocket(
        socket,
        LiveCloseCode.TryAgainLater,
        `This server is at its limit of ${options.maxConnections} connections; try again later.`,
      );
    }
  });
  const graphqlWs = serveGraphqlWs<{ authorization?: string }>(
    {
      onConnect: async (ctx) => {
        const { socket } = ctx.extra;
        if (draining) {
          socket.close(1001, 'Going away');
          return false;
        }
        try {
          const viewer = await bearer(ctx.connectionParams?.authorization, options.verifier);
          // The client may have left while the token was checked: keep nothing for it.
          if (socket.readyState !== socket.OPEN) return false;
          const release = options.limits.connect(personOf(viewer), {
            // graphql-ws keeps the connection's operations under way (`ctx.subscriptions`).
            operations: () => Object.keys(ctx.subscriptions).length,
            cut: (reason) => stopReading(socket, reason),
          });
          if (!release) {
            const most = options.limits.options.maxConnectionsPerPerson;
            closeSocket(
              socket,
              LiveCloseCode.TooManyConnections,
              `At most ${most} connections per person.`,
            );
            return false;
          }
          const expiresInMs = Math.min(viewer.expiresAt.getTime() - Date.now(), 2 ** 31 - 1);
          const expiry = setTimeout(
            () => closeSocket(socket, CloseCode.Unauthorized, 'The token has expired.'),
            expiresInMs,
          );
          connections.set(socket, { viewer, expiry, release });
          // graphql-ws keeps the upgrade request for context functions, which this server
          // does not use: a few KiB a connection, for as long as it lasts.
          Reflect.deleteProperty(ctx.extra, 'request');
          metrics.liveConnections.inc();
          return true;
        } catch (error) {
          socket.close(CloseCode.Unauthorized, (error as Error).message);
          return false;
        }
      },
      onClose: (ctx) => {
        const connection = connections.get(ctx.extra.socket);
        if (!connection) return;
        clearTimeout(connection.expiry);
        connection.release();
        connections.delete(ctx.extra.socket);
        metrics.liveConnections.dec();
      },
      onSubscribe: (ctx, id, payload) => {
        const { socket } = ctx.extra;
        const connection = connections.get(socket);
        // A closing socket (its token expired, say) may still deliver messages for a while.
        if (
          !connection ||
          socket.readyState !== socket.OPEN ||
          connection.viewer.expiresAt.getTime() <= Date.now()
        ) {
          return [
            new GraphQLError('The token has expired.', { extensions: { code: 'UNAUTHENTICATED' } }),
          ];
        }
        // Before any parsing, and synchronously: a flood is cut off (`stopReading`) before
        // the rest of the messages that arrived with this one are read.
        const refusal = options.limits.admit(personOf(connection.viewer));
        if (refusal) {
          const { code, message, retryAfterMs } = refusal;
          return [refusalError(message, { code, retryAfterMs })];
        }
        const schema = options.schema();
        const document = checkedDocument(schema, payload.query);
        if (Array.isArray(document)) return document;
        const badInput = checkInput(document, payload.variables ?? undefined);
        if (badInput) return [badInput];
        const context: LiveContext = {
          viewer: connection.viewer,
          socket,
          id,
          operations: ctx.subscriptions,
          query: payload.query,
        };
        return {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? {},
          contextValue: context,
        };
      },
      subscribe,
      // Queries and mutations: the text the client sent, which `args.document` was parsed from.
      execute: (args) => {
        const { query, viewer } = args.contextValue as LiveContext;
        return options.runQuery(
          query,
          (args.variableValues ?? {}) as Record<string, unknown>,
          viewer,
          args.operationName ?? undefined,
        );
      },
    },
    server,
    options.keepAliveMs,
  );

  return {
    async [Symbol.asyncDispose]() {
      draining = true;
      await events[Symbol.asyncDispose]();
      await Promise.race([
        core.drained(),
        new Promise((resolve) => setTimeout(resolve, options.drainTimeoutMs).unref()),
      ]);
      // graphql-ws closes every socket with 1001 (going away); cut those that do not answer.
      setTimeout(() => {
        for (const client of server.clients) client.terminate();
      }, closeGraceMs).unref();
      await graphqlWs.dispose();
    },
  };
}

/**
 * Where a subscription's results go: graphql-ws `next` messages written to the socket by
 * hand. graphql-ws would serialize each result for each subscriber (`JSON.stringify` of the
 * whole message, after validating it), which with a thousand subscribers of one order is
 * most of an event's cost; here the result arrives serialized once for all who share it, and
 * only the envelope with this subscription's id is added. The messages are the ones
 * graphql-ws sends, on the socket it manages, in order; nothing is written once the client
 * completed the operation or the socket closes.
 */
function socketSink(context: LiveContext): LiveSink {
  const { socket, id, operations } = context;
  const envelope = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  let unwritten = 0;
  const written = () => {
    unwritten -= 1;
  };
  return {
    send(result) {
      if (socket.readyState !== socket.OPEN || !(id in operations)) return;
      unwritten += 1;
      socket.send(`${envelope}${result}}`, written);
    },
    backlog: () => ({ results: unwritten, bytes: socket.bufferedAmount }),
    tooSlow: () =>
      closeSocket(
        socket,
        LiveCloseCode.TooSlow,
        'Too slow: results piled up; reconnect and resume.',
      ),
  };
}

/**
 * What graphql-ws iterates for a running subscription: no results (they are written by
 * `socketSink`), only its end. graphql-ws calls `return()` when the client completes the
 * operation or the connection closes, which ends the subscription.
 */
class Running implements AsyncIterableIterator<ExecutionResult> {
  readonly #subscription: LiveSubscription;
  #finish: ((result: IteratorResult<ExecutionResult>) => void) | undefined;

  constructor(subscription: LiveSubscription) {
    this.#subscription = subscription;
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.#subscription.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#finish = resolve;
    });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.#subscription.end();
    this.#finish?.({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * Closes the socket of a client that floods it (4429), and drops what it sent and the router
 * has not read yet: ws hands over every message of a received chunk at once, and a chunk
 * carries hundreds, each of which graphql-ws would parse and answer. Removing graphql-ws's
 * message listener is the one way to drop them; pausing the socket leaves what is still in
 * the kernel unread (so the client's answer to the close is not awaited: `closeSocket` cuts
 * the socket after its grace).
 */
function stopReading(socket: WebSocket, reason: string): void {
  socket.removeAllListeners('message');
  socket.pause();
  closeSocket(socket, LiveCloseCode.TooManyConnections, reason);
}

/**
 * An error refusing an operation, without a stack trace: nobody reads one, and in a flood,
 * capturing hundreds of them is most of what the refusals cost.
 */
function refusalError(message: string, extensions: Record<string, unknown>): GraphQLError {
  const { stackTraceLimit } = Error;
  Error.stackTraceLimit = 0;
  try {
    return new GraphQLError(message, { extensions });
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** Starts the close handshake, and cuts the socket if the client does not complete it soon. */
function closeSocket(socket: WebSocket, code: number, reason: string): void {
  socket.close(code, reason);
  setTimeout(() => socket.terminate(), closeGraceMs).unref();
}

async function bearer(
  authorization: unknown,
  verifier: UserTokenVerifier,
): Promise<VerifiedViewer> {
  const token = bearerToken(authorization);
  if (!token)
    throw new Error('Send { "authorization": "Bearer <token>" } as the connection parameters.');
  return verifier.verify(token);
}

/**
 * As over HTTP: a validation error has the code `GRAPHQL_VALIDATION_FAILED`, and does not
 * reveal field names by suggestion (graphql-armor).
 */
function asValidationError(error: GraphQLError): GraphQLError {
  const message = error.message.replace(/ Did you mean .+\?$/, ' [Suggestion hidden]');
  return new GraphQLError(message, {
    ...(error.nodes && { nodes: error.nodes }),
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
  });
}
