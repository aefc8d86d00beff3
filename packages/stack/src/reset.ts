import { databaseUrlFor, dropDatabase, subgraphSchemas } from '@baedal/prisma';
import { Redis } from 'ioredis';
import { preflight } from './preflight.js';

export interface ResetOptions {
  readonly postgresUrl: string;
  readonly redisUrl: string;
  /** Databases `<prefix>_order`, `<prefix>_payment` ... are dropped. */
  readonly databasePrefix: string;
  /** Every Redis key under `<prefix>:` is deleted. */
  readonly streamPrefix: string;
  /** The ports of the stack (by service): while one is taken, nothing is wiped. */
  readonly ports: Readonly<Record<string, number>>;
}

/**
 * Wipes what the stack keeps between runs: its four databases and every Redis key under its
 * prefix (event streams, consumer groups, dead letters), so that the next start migrates and
 * seeds afresh. Refuses with a `PreflightError` (naming who holds them) while the stack's
 * ports are taken, since a running stack would lose its data underneath it, or when
 * PostgreSQL or Redis does not answer. Resolves with the databases and the number of keys.
 */
export async function resetStack(
  options: ResetOptions,
): Promise<{ databases: string[]; redisKeys: number }> {
  await preflight(options.postgresUrl, options.redisUrl, options.ports);
  const databases = subgraphSchemas.map((name) =>
    databaseUrlFor(options.postgresUrl, options.databasePrefix, name),
  );
  await Promise.all(databases.map(dropDatabase));
  const redisKeys = await deleteKeys(options.redisUrl, `${globEscape(options.streamPrefix)}:*`);
  return { databases: databases.map((url) => new URL(url).pathname.slice(1)), redisKeys };
}

async function deleteKeys(redisUrl: string, pattern: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    let deleted = 0;
    for await (const keys of redis.scanStream({ match: pattern, count: 1000 })) {
      if ((keys as string[]).length > 0) deleted += await redis.unlink(...(keys as string[]));
    }
    return deleted;
  } finally {
    redis.disconnect();
  }
}

/** The prefix as a literal in a Redis glob pattern. */
const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');
