import { randomUUID } from 'node:crypto';
import { type Prisma, PrismaClient } from '@baedal/prisma/fixture';
import { PrismaPg } from '@prisma/adapter-pg';
import { z } from 'zod';
import { defineEvent, type EventEnvelope, type Logger, on } from '../src/index.js';

export type Tx = Prisma.TransactionClient;

/** The one event the tests publish: "a note was written". */
export const noteWritten = defineEvent({
  producer: 'fixture',
  type: 'fixture.note.written',
  version: 1,
  payload: z.object({ noteId: z.string().min(1) }),
  correlate: (payload) => payload.noteId,
});

export const customer = { role: 'CUSTOMER', id: 'customer-1' } as const;

export function noteEvent(noteId: string = randomUUID()): EventEnvelope<{ noteId: string }> {
  return noteWritten.create({ noteId }, { actor: customer });
}

/**
 * Applies a note by counting it: a second application of the same event would show up as
 * `applications = 2`, so the tests can see exactly-once effects.
 */
export const applyNote = on<Tx, { noteId: string }>(noteWritten, async (event, tx) => {
  await tx.$executeRaw`
    INSERT INTO note (id) VALUES (${event.payload.noteId})
    ON CONFLICT (id) DO UPDATE SET applications = note.applications + 1`;
});

export function prismaClient(url: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
}

export { deleteKeys, eventually, randomPrefix, redisUrl } from '../src/testing.js';

export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
