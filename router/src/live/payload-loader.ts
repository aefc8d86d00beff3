import type { Viewer } from '@baedal/identity';
import type { ExecutionResult } from 'graphql';
import { LRUCache } from 'lru-cache';

/** Runs an operation through the gateway on behalf of a viewer. */
export type RunQuery = (
  query: string,
  variables: Record<string, unknown>,
  viewer: Viewer,
  operationName?: string,
) => Promise<ExecutionResult>;

/**
 * Resolves live payloads through the gateway, sharing executions: every subscriber that
 * needs the same query, with the same variables, for the same viewer, waits for one
 * execution. For an event's payload the answer is kept for a while too (keyed by the event),
 * so that a subscriber that gets to the event later still shares it.
 */
export class PayloadLoader {
  readonly #inFlight = new Map<string, Promise<ExecutionResult>>();
  readonly #byEvent = new LRUCache<string, Promise<ExecutionResult>>({ max: 10_000, ttl: 30_000 });

  constructor(
    private readonly run: RunQuery,
    /** Called once per execution that actually runs (for metrics). */
    private readonly onExecute: () => void = () => {},
  ) {}

  /** `eventId` names the event the payload is for; omit it for current state (never cached). */
  load(
    query: string,
    variables: Record<string, unknown>,
    viewer: Viewer,
    eventId?: string,
  ): Promise<ExecutionResult> {
    const key = `${viewer.role}:${viewer.id}\n${JSON.stringify(variables)}\n${query}`;
    if (eventId) {
      const cacheKey = `${eventId}\n${key}`;
      const cached = this.#byEvent.get(cacheKey);
      if (cached) return cached;
      const result = this.#execute(key, query, variables, viewer);
      this.#byEvent.set(cacheKey, result);
      return result;
    }
    return this.#execute(key, query, variables, viewer);
  }

  #execute(
    key: string,
    query: string,
    variables: Record<string, unknown>,
    viewer: Viewer,
  ): Promise<ExecutionResult> {
    const running = this.#inFlight.get(key);
    if (running) return running;
    this.onExecute();
    const result = this.run(query, variables, viewer).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, result);
    return result;
  }
}
