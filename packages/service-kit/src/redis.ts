/**
 * ioredis' `retryStrategy` for a service's long-lived connections: each reconnection attempt
 * waits 100 ms longer than the one before, and never more than a second, so that a service is
 * back within a second of Redis coming back (ioredis' default waits up to 2 s).
 */
export const redisRetryStrategy = (attempt: number): number => Math.min(attempt * 100, 1000);
