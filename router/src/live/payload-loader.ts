import type { VerifiedViewer } from '@baedal/identity';
import type { ExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';

/** Runs an operation through the gateway on behalf of a viewer. */
export type RunQuery = (
  query: string,
  variables: Record<string, unknown>,
  viewer: VerifiedViewer,
  operationName?: string,
) => Promise<ExecutionResult>;

/**
 * Resolves live payloads through the gateway. The payload of an event is resolved once for
 * every subscriber with the same query, variables and viewer (the same `shareKey`, which
 * names the event too), and kept for a while, so that a subscriber that gets to the event
 * later shares it too.
 *
 * Loads that are not for an event (a subscription's first answer) are never shared: an
 * answer read before a subscriber started listening could lack an event it will never be
 * sent.
 */
export class PayloadLoader {
  readonly #byEvent = new LRUCache<string, Promise<ExecutionResult>>({ max: 10_000, ttl: 30_000 });

  constructor(
    private readonly run: RunQuery,
    /** Called once per execution that actually runs (for metrics). */
    private readonly onExecute: () => void,
  ) {}

  load(
    query: string,
    variables: Record<string, unknown>,
    viewer: VerifiedViewer,
    shareKey?: string,
  ): Promise<ExecutionResult> {
    if (!shareKey) return this.#execute(query, variables, viewer);
    const shared = this.#byEvent.get(shareKey);
    if (shared) return shared;
    const result = this.#execute(query, variables, viewer);
    this.#byEvent.set(shareKey, result);
    return result;
  }

  #execute(query: string, variables: Record<string, unknown>, viewer: VerifiedViewer) {
    this.onExecute();
    return this.run(query, variables, viewer);
  }
}
