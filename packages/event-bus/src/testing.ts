import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { vi } from 'vitest';

export {
  type CuttableProxy,
  cuttableProxy,
  freePort,
  type RedisServer,
  type RedisServerOptions,
  startRedisServer,
} from './test-servers.js';

/** Helpers for tests against real Redis, shared by every package's tests. */

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own, so that concurrent test files never see each other's streams. */
export function randomPrefix(): string {
  return `test-${randomBytes(4).toString('hex')}`;
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
}

/**
 * Retries `assertion` until it passes, for effects that arrive asynchronously (events relayed
 * and consumed by another process). Patient enough for a loaded two-core CI machine; a real
 * failure still fails, after `timeoutMs`.
 */
export function eventually<T>(assertion: () => T | Promise<T>, timeoutMs = 60_000): Promise<T> {
  return vi.waitFor(assertion, { timeout: timeoutMs, interval: 50 });
}
