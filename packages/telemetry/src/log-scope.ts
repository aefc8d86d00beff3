import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields of the request or event being handled, which every log line written for it carries. */
export interface LogFields {
  /** The request's id (`x-request-id`), the same in the router and every subgraph it called. */
  readonly requestId?: string;
  /** The GraphQL operation's name, once parsed. */
  readonly operation?: string;
  /** The role of the person asking (`ANONYMOUS` without a token), once verified. */
  readonly role?: string;
  /** The order (or store) an event belongs to. */
  readonly correlationId?: string;
  readonly [field: string]: unknown;
}

const scope = new AsyncLocalStorage<Record<string, unknown>>();

/**
 * Runs `work` with `fields` added to what every log line written inside it, however deep
 * and however asynchronous, carries (the logger reads them: see `createLogger`). Nested
 * scopes add to their parent's fields without changing them.
 */
export function withLogFields<R>(fields: LogFields, work: () => R): R {
  return scope.run({ ...scope.getStore(), ...fields }, work);
}

/**
 * Adds fields to the current scope from here on, for what is learnt while handling it (the
 * operation's name once parsed, the role once the token is verified). Outside a scope, nothing.
 */
export function addLogFields(fields: LogFields): void {
  const current = scope.getStore();
  if (current) Object.assign(current, fields);
}

/** The current scope's fields (none outside a request or an event). */
export function logFields(): LogFields | undefined {
  return scope.getStore();
}
