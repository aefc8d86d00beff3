/**
 * The slice of a Prisma client the event bus uses. Every generated client satisfies it, so
 * the bus works with each subgraph's own client without knowing its models.
 */
export interface SqlClient {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<T>;
}

export interface TransactionalClient<Tx extends SqlClient> extends SqlClient {
  $transaction<R>(
    work: (tx: Tx) => Promise<R>,
    options?: { maxWait?: number; timeout?: number },
  ): Promise<R>;
}

/**
 * Limits of every interactive transaction: how long one may wait for a connection of the
 * pool, and how long it may run before Prisma rolls it back. Prisma's defaults (2 s, 5 s)
 * roll back healthy work on a busy machine (a burst of orders, a CPU shared with other
 * services), and a failed commit costs more than a slow one; these are generous but bounded.
 */
export const transactionLimits = { maxWait: 10_000, timeout: 30_000 } as const;

/** A minimal structured logger (pino's signature). */
export interface Logger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}
