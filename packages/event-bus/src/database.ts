/**
 * The slice of a Prisma client the event bus uses. Every generated client satisfies it, so
 * the bus works with each subgraph's own client without knowing its models.
 */
export interface SqlClient {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<T>;
}

export interface TransactionalClient<Tx extends SqlClient> extends SqlClient {
  $transaction<R>(work: (tx: Tx) => Promise<R>): Promise<R>;
}

/** A minimal structured logger (pino's signature). */
export interface Logger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}
