/**
 * `npm run events -- <command>`: the operator's view of the dead letters.
 *
 *     npm run events -- dead-letters [<subgraph>...]
 *     npm run events -- replay <subgraph> <dead letter id>... | --all
 *
 * Each subgraph's dead letters live in its own database, `<DATABASE_PREFIX>_<subgraph>` on
 * `POSTGRES_URL` (as for `npm run db:migrate`); replays go through `REDIS_URL` with the
 * services' `EVENT_STREAM_PREFIX`.
 */
import { databaseUrlFor, type SubgraphSchema, subgraphSchemas } from '@baedal/prisma';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { SqlClient } from './database.js';
import { type DeadLetter, listDeadLetters, replayDeadLetter } from './dead-letters.js';

const serverUrl = process.env.POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const databasePrefix = process.env.DATABASE_PREFIX ?? 'baedal';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const streamPrefix = process.env.EVENT_STREAM_PREFIX ?? 'baedal';

const usage = `Usage:
  npm run events -- dead-letters [<subgraph>...]
  npm run events -- replay <subgraph> <dead letter id>... | --all
Subgraphs: ${subgraphSchemas.join(', ')}.`;

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'dead-letters') await showDeadLetters(args.length ? args : subgraphSchemas);
  else if (command === 'replay' && args.length >= 2) await replay(args[0]!, args.slice(1));
  else fail(usage);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}

async function showDeadLetters(subgraphs: readonly string[]): Promise<void> {
  for (const subgraph of subgraphs.map(checkSubgraph)) {
    const letters = await withDatabase(subgraph, listDeadLetters);
    console.log(`${subgraph}: ${letters.length} dead letter${letters.length === 1 ? '' : 's'}`);
    if (letters.length > 0) console.table(letters.map(describeLetter));
  }
}

async function replay(subgraph: string, ids: readonly string[]): Promise<void> {
  const group = checkSubgraph(subgraph);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    await withDatabase(group, async (db) => {
      const letters = await listDeadLetters(db);
      const chosen = ids.includes('--all') ? letters : letters.filter((l) => ids.includes(l.id));
      const missing = ids.filter((id) => id !== '--all' && !letters.some((l) => l.id === id));
      if (missing.length > 0) throw new Error(`${group} has no dead letter ${missing.join(', ')}.`);
      for (const letter of chosen) {
        const envelope = letter.envelope ?? (await fromProducerOutbox(letter));
        const entryId = await replayDeadLetter(db, redis, {
          prefix: streamPrefix,
          group,
          letter,
          ...(envelope && { envelope }),
        });
        console.log(`${group}: dead letter ${letter.id} replayed as ${entryId}`);
      }
      if (chosen.length === 0) console.log(`${group}: no dead letters to replay`);
    });
  } finally {
    redis.disconnect();
  }
}

/**
 * An entry trimmed from its stream before the group read it left no envelope; the producer's
 * outbox keeps it until every group has acknowledged it and the retention has passed.
 */
async function fromProducerOutbox(letter: DeadLetter): Promise<string | undefined> {
  const producer = letter.stream.split(':').at(-1) ?? '';
  if (!(subgraphSchemas as readonly string[]).includes(producer)) return undefined;
  return withDatabase(producer as SubgraphSchema, async (db) => {
    const [row] = await db.$queryRaw<{ envelope: string }[]>`
      SELECT envelope::text FROM outbox_event WHERE stream_entry_id = ${letter.entryId}`;
    return row?.envelope;
  });
}

function describeLetter(letter: DeadLetter) {
  let eventId = '';
  try {
    eventId = (JSON.parse(letter.envelope ?? '{}') as { id?: string }).id ?? '';
  } catch {
    eventId = '(unreadable envelope)';
  }
  return {
    id: letter.id,
    at: letter.createdAt.toISOString(),
    stream: letter.stream,
    entry: letter.entryId,
    type: letter.type ?? '',
    event: eventId || '(trimmed unread)',
    deliveries: letter.deliveries,
    error: letter.error,
  };
}

function checkSubgraph(name: string): SubgraphSchema {
  if (!(subgraphSchemas as readonly string[]).includes(name))
    throw new Error(`Unknown subgraph "${name}".\n${usage}`);
  return name as SubgraphSchema;
}

async function withDatabase<T>(
  subgraph: SubgraphSchema,
  work: (db: SqlClient) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    connectionString: databaseUrlFor(serverUrl, databasePrefix, subgraph),
  });
  await client.connect();
  try {
    return await work(sqlClient(client));
  } finally {
    await client.end();
  }
}

/** The event bus's SQL, which is written for Prisma's tagged templates, run on `pg`. */
function sqlClient(client: pg.Client): SqlClient {
  const text = (strings: TemplateStringsArray) =>
    strings.reduce((query, part, index) => `${query}$${index}${part}`);
  return {
    $queryRaw: async <T>(strings: TemplateStringsArray, ...values: unknown[]) =>
      (await client.query(text(strings), values)).rows as T,
    $executeRaw: async (strings: TemplateStringsArray, ...values: unknown[]) =>
      (await client.query(text(strings), values)).rowCount ?? 0,
  };
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
