import { createServer } from 'node:net';
import { databaseUrlFor, dropDatabase, ensureDatabase, subgraphSchemas } from '@baedal/prisma';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PreflightError } from './preflight.js';
import { resetStack } from './reset.js';
import { isolatedPrefixes } from './stack.js';

const postgresUrl = process.env.POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const { databasePrefix, streamPrefix } = isolatedPrefixes('test');
const databases = subgraphSchemas.map((name) => databaseUrlFor(postgresUrl, databasePrefix, name));
/** Keys of someone else: a longer prefix that starts the same, and an unrelated one. */
const othersKeys = [`${streamPrefix}-other:events:order`, `other-${streamPrefix}:events:order`];

let redis: Redis;
beforeAll(async () => {
  redis = new Redis(redisUrl);
});
afterAll(async () => {
  await redis.del(...othersKeys);
  redis.disconnect();
  await Promise.all(databases.map(dropDatabase));
});

beforeEach(async () => {
  await Promise.all(databases.map(ensureDatabase));
  await redis.xadd(`${streamPrefix}:events:order`, '*', 'type', 'order.placed');
  await redis.xadd(`${streamPrefix}:dead-letter:kitchen`, '*', 'type', 'order.placed');
  for (const key of othersKeys) await redis.xadd(key, '*', 'type', 'order.placed');
});

async function existingDatabases(): Promise<string[]> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname',
      [`${databasePrefix}\\_%`],
    );
    return rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

describe('npm run reset', () => {
  it("drops the stack's databases and deletes its Redis keys, and nothing else", async () => {
    const result = await resetStack({
      postgresUrl,
      redisUrl,
      databasePrefix,
      streamPrefix,
      ports: {},
    });

    expect(result.databases).toEqual(subgraphSchemas.map((name) => `${databasePrefix}_${name}`));
    expect(result.redisKeys).toBe(2);
    expect(await existingDatabases()).toEqual([]);
    expect(await redis.keys(`${streamPrefix}:*`)).toEqual([]);
    for (const key of othersKeys) expect(await redis.exists(key)).toBe(1);
  });

  it('wipes nothing while the stack is running, and says what holds its ports', async () => {
    const running = createServer();
    await new Promise<void>((resolve) => running.listen(0, '127.0.0.1', resolve));
    const port = (running.address() as { port: number }).port;
    try {
      const error = await resetStack({
        postgresUrl,
        redisUrl,
        databasePrefix,
        streamPrefix,
        ports: { router: port },
      }).catch((e) => e);

      expect(error).toBeInstanceOf(PreflightError);
      expect(error.message).toContain(`${port} (router): process ${process.pid}`);
      expect(await existingDatabases()).toHaveLength(subgraphSchemas.length);
      expect(await redis.exists(`${streamPrefix}:events:order`)).toBe(1);
    } finally {
      running.close();
    }
  });
});
