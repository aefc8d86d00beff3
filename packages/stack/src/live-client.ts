import type { ExecutionResult } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** One subscription's results as they arrive, for tests and benchmarks. */
export interface Subscribed<Data> {
  readonly results: ExecutionResult<Data>[];
  /** The protocol error that ended it (validation, limits), if any. */
  error: unknown;
  completed: boolean;
  /** Called with each result as it arrives. */
  onResult?: (result: ExecutionResult<Data>) => void;
  unsubscribe(): void;
}

export interface LiveClient extends AsyncDisposable {
  subscribe<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Subscribed<Data>;
  /** Resolves with the close code and reason when the socket closes. */
  readonly closed: Promise<{ code: number; reason: string }>;
}

/**
 * A graphql-ws client of the router, authenticated with `token` (or none), that keeps what
 * it receives. It does not reconnect: tests observe closes.
 */
export function liveClient(routerUrl: string, token: string | null): LiveClient {
  let onClosed: (event: { code: number; reason: string }) => void = () => {};
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    onClosed = resolve;
  });
  const client: Client = createClient({
    url: routerUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: false,
    // Closes are reported through `closed`, not logged.
    onNonLazyError: () => {},
    retryAttempts: 0,
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason: String(reason) });
      },
    },
  });
  return {
    closed,
    subscribe<Data>(query: string, variables: Record<string, unknown> = {}) {
      const subscribed: Subscribed<Data> = {
        results: [],
        error: undefined,
        completed: false,
        unsubscribe: () => {},
      };
      subscribed.unsubscribe = client.subscribe<Data>(
        { query, variables },
        {
          next: (result) => {
            subscribed.results.push(result as ExecutionResult<Data>);
            subscribed.onResult?.(result as ExecutionResult<Data>);
          },
          error: (error) => {
            subscribed.error = error;
          },
          complete: () => {
            subscribed.completed = true;
          },
        },
      );
      return subscribed;
    },
    async [Symbol.asyncDispose]() {
      await client.dispose();
    },
  };
}
