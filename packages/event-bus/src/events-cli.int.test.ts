import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { databaseUrlFor, dropDatabase, migrateDatabase } from '@baedal/prisma';
import { testServerUrl } from '@baedal/prisma/testing';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customer, deleteKeys, noteWritten, randomPrefix, redisUrl } from '../test/fixture.js';
import { replayStream } from './index.js';

/*
 * `npm run events`, run as an operator runs it, against a kitchen database (the consumer
 * whose dead letters are shown) and an order database (the producer of its events).
 */

const databasePrefix = `baedal_test_${randomBytes(4).toString('hex')}`;
const streamPrefix = randomPrefix();
const kitchenUrl = databaseUrlFor(testServerUrl, databasePrefix, 'kitchen');
const orderUrl = databaseUrlFor(testServerUrl, databasePrefix, 'order');
let kitchen: pg.Client;
let order: pg.Client;
let redis: Redis;

beforeAll(async () => {
  await Promise.all([migrateDatabase('kitchen', kitchenUrl), migrateDatabase('order', orderUrl)]);
  kitchen = new pg.Client({ connectionString: kitchenUrl });
  order = new pg.Client({ connectionString: orderUrl });
  await Promise.all([kitchen.connect(), order.connect()]);
  redis = new Redis(redisUrl);
});

afterAll(async () => {
  await Promise.all([kitchen.end(), order.end()]);
  await deleteKeys(redis, streamPrefix);
  redis.disconnect();
  await Promise.all([dropDatabase(kitchenUrl), dropDatabase(orderUrl)]);
});

async function events(
  ...args: string[]
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        '--conditions=@baedal/source',
        '--import',
        'tsx',
        new URL('./events.main.ts', import.meta.url).pathname,
        ...args,
      ],
      {
        env: {
          ...process.env,
          POSTGRES_URL: testServerUrl,
          DATABASE_PREFIX: databasePrefix,
          REDIS_URL: redisUrl,
          EVENT_STREAM_PREFIX: streamPrefix,
        },
      },
    );
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const {
      stdout = '',
      stderr = '',
      code = 1,
    } = error as {
      stdout?: string;
      stderr?: string;
      code?: number;
    };
    return { stdout, stderr, code };
  }
}

async function addDeadLetter(values: {
  entryId: string;
  envelope: string | null;
  error: string;
}): Promise<string> {
  const { rows } = await kitchen.query<{ id: string }>(
    `INSERT INTO dead_letter (stream, entry_id, type, envelope, error, deliveries)
     VALUES ($1, $2, $3, $4, $5, 5) RETURNING id`,
    [
      `${streamPrefix}:events:order`,
      values.entryId,
      values.envelope && noteWritten.type,
      values.envelope,
      values.error,
    ],
  );
  return rows[0]!.id;
}

describe('npm run events', () => {
  it('lists each subgraph’s dead letters, with why each was set aside', async () => {
    const event = noteWritten.create({ noteId: 'n-1' }, { actor: customer });
    await addDeadLetter({
      entryId: '1700000000000-0',
      envelope: JSON.stringify(event),
      error: 'Store store-9 is unknown.',
    });

    const { stdout, code } = await events('dead-letters', 'kitchen', 'order');

    expect(code).toBe(0);
    expect(stdout).toContain('kitchen: 1 dead letter');
    expect(stdout).toContain('Store store-9 is unknown.');
    expect(stdout).toContain(event.id);
    expect(stdout).toContain('order: 0 dead letters');
    await kitchen.query('DELETE FROM dead_letter');
  });

  it('replays dead letters through the group’s replay stream and forgets them', async () => {
    const failed = noteWritten.create({ noteId: 'failed' }, { actor: customer });
    const trimmed = noteWritten.create({ noteId: 'trimmed' }, { actor: customer });
    await addDeadLetter({
      entryId: '1700000000000-1',
      envelope: JSON.stringify(failed),
      error: 'x',
    });
    // An entry trimmed unread left no envelope; the producer's outbox still has the event.
    await addDeadLetter({ entryId: '1700000000000-2', envelope: null, error: 'trimmed' });
    await order.query(
      `INSERT INTO outbox_event (id, type, envelope, published_at, stream_entry_id)
       VALUES ($1, $2, $3, now(), '1700000000000-2')`,
      [trimmed.id, trimmed.type, JSON.stringify(trimmed)],
    );

    const { stdout, code } = await events('replay', 'kitchen', '--all');

    expect(code).toBe(0);
    expect(stdout.match(/replayed as/g)).toHaveLength(2);
    const replayed = await redis.xrange(replayStream(streamPrefix, 'kitchen'), '-', '+');
    expect(replayed.map(([, fields]) => JSON.parse(fields[3]!).id)).toEqual([
      failed.id,
      trimmed.id,
    ]);
    expect((await kitchen.query('SELECT * FROM dead_letter')).rows).toEqual([]);
  });

  it('refuses an unknown subgraph or dead letter, and changes nothing', async () => {
    const id = await addDeadLetter({ entryId: '1700000000000-3', envelope: '{}', error: 'x' });

    const unknownSubgraph = await events('dead-letters', 'billing');
    const unknownLetter = await events('replay', 'kitchen', id, '999999');

    expect(unknownSubgraph).toMatchObject({ code: 1, stderr: expect.stringContaining('billing') });
    expect(unknownLetter).toMatchObject({ code: 1, stderr: expect.stringContaining('999999') });
    expect((await kitchen.query('SELECT id FROM dead_letter')).rows).toEqual([{ id }]);
  });
});
