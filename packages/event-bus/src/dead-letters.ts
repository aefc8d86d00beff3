import type { Redis } from 'ioredis';
import type { SqlClient } from './database.js';
import { replayStream, streamFields } from './streams.js';

/** An event a consumer group could not apply, as kept in its subgraph's `dead_letter` table. */
export interface DeadLetter {
  readonly id: string;
  readonly stream: string;
  readonly entryId: string;
  readonly type: string | null;
  /** The envelope as it was read; null for an entry trimmed from its stream unread. */
  readonly envelope: string | null;
  readonly error: string;
  readonly deliveries: number;
  readonly createdAt: Date;
}

/**
 * Records a dead letter. Recording the same stream entry twice (a consumer that died before
 * acknowledging it, two replicas finding the same trimmed entry) keeps the first.
 */
export async function recordDeadLetter(
  tx: SqlClient,
  letter: Omit<DeadLetter, 'id' | 'createdAt'>,
): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO dead_letter (stream, entry_id, type, envelope, error, deliveries)
    VALUES (${letter.stream}, ${letter.entryId}, ${letter.type}, ${letter.envelope},
            ${letter.error}, ${letter.deliveries})
    ON CONFLICT (stream, entry_id) DO NOTHING`;
}

/** Every dead letter of a subgraph's database, oldest first. */
export async function listDeadLetters(db: SqlClient): Promise<DeadLetter[]> {
  const rows = await db.$queryRaw<
    {
      id: bigint;
      stream: string;
      entry_id: string;
      type: string | null;
      envelope: string | null;
      error: string;
      deliveries: number;
      created_at: Date;
    }[]
  >`SELECT id, stream, entry_id, type, envelope, error, deliveries, created_at
    FROM dead_letter ORDER BY id`;
  return rows.map((row) => ({
    id: String(row.id),
    stream: row.stream,
    entryId: row.entry_id,
    type: row.type,
    envelope: row.envelope,
    error: row.error,
    deliveries: row.deliveries,
    createdAt: row.created_at,
  }));
}

/**
 * Sends a dead letter through its consumer group again: its envelope goes to the group's
 * replay stream (which only that group reads) and the row is deleted. If the replayed event
 * fails again it comes back as a new dead letter; if it was applied meanwhile it changes
 * nothing. `envelope` overrides the recorded one (for an entry that was trimmed unread, the
 * producer's outbox still has it).
 */
export async function replayDeadLetter(
  db: SqlClient,
  redis: Redis,
  options: { prefix: string; group: string; letter: DeadLetter; envelope?: string },
): Promise<string> {
  const { letter } = options;
  const envelope = options.envelope ?? letter.envelope;
  if (envelope === null) throw new Error(`Dead letter ${letter.id} has no envelope to replay.`);
  const type = letter.type ?? (JSON.parse(envelope) as { type?: string }).type ?? '';
  // The replay stream is only a conduit: what is in it was handed over, and replays are rare.
  const entryId = (await redis.xadd(
    replayStream(options.prefix, options.group),
    'MAXLEN',
    '~',
    '10000',
    '*',
    ...streamFields(type, envelope),
  ))!;
  await db.$executeRaw`DELETE FROM dead_letter WHERE id = ${letter.id}::bigint`;
  return entryId;
}
