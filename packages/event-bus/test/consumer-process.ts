/**
 * A consumer in a process of its own, so that a test can kill it with SIGKILL in the middle
 * of its work. It takes every note at once, applies five (reporting each on stdout) and
 * then hangs in the middle of applying the others, as a process does when it is killed.
 */
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
let started = 0;
const consumer = new EventConsumer<Tx>({
  redis,
  prefix: PREFIX,
  group: 'notes',
  consumer: CONSUMER,
  database: outbox,
  concurrency: 50,
  logger: quietLogger,
  subscriptions: [
    on(noteWritten, async (event, tx) => {
      if (++started > 5) await new Promise(() => {});
      await tx.$executeRaw`INSERT INTO note (id) VALUES (${event.payload.noteId})
        ON CONFLICT (id) DO UPDATE SET applications = note.applications + 1`;
      process.stdout.write(`applied ${event.payload.noteId}\n`);
    }),
  ],
});
await consumer.start();
