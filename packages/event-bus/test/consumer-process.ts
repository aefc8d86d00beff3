/**
 * A consumer in a process of its own, so that a test can kill it with SIGKILL in the middle
 * of its work. Applies notes slowly (one per 50 ms) and reports each one on stdout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { EventConsumer, Outbox, on } from '../src/index.js';
import { noteWritten, prismaClient, quietLogger, type Tx } from './fixture.js';

const env = (name: string) => process.env[name] ?? '';
const [DATABASE_URL, REDIS_URL, PREFIX, CONSUMER] = [
  'DATABASE_URL',
  'REDIS_URL',
  'PREFIX',
  'CONSUMER',
].map(env) as [string, string, string, string];
const db = prismaClient(DATABASE_URL);
const redis = new Redis(REDIS_URL);
const outbox = new Outbox(db, { redis, stream: `${PREFIX}:unused`, logger: quietLogger });
const consumer = new EventConsumer<Tx>({
  redis,
  prefix: PREFIX,
  group: 'notes',
  consumer: CONSUMER,
  database: outbox,
  batchSize: 50,
  logger: quietLogger,
  subscriptions: [
    on(noteWritten, async (event, tx) => {
      await tx.$executeRaw`INSERT INTO note (id) VALUES (${event.payload.noteId})
        ON CONFLICT (id) DO UPDATE SET applications = note.applications + 1`;
      await sleep(50);
      process.stdout.write(`applied ${event.payload.noteId}\n`);
    }),
  ],
});
await consumer.start();
