import { randomUUID } from 'node:crypto';
import { type Prisma, PrismaClient } from '@baedal/prisma/fixture';
import { PrismaPg } from '@prisma/adapter-pg';
import { z } from 'zod';
import { defineEvent, type EventEnvelope, type Logger, on } from '../src/index.js';

export type Tx = Prisma.TransactionClient;

/** The event most tests publish: "a note was written". */
export const noteWritten = defineEvent({
  producer: 'fixture',
  type: 'fixture.note.written',
  version: 1,
  payload: z.object({ noteId: z.string().min(1) }),
  correlate: (payload) => payload.noteId,
});

/** The next version of the same event, which an upgraded consumer knows. */
export const noteWrittenV2 = defineEvent({
  producer: 'fixture',
  type: 'fixture.note.written',
  version: 2,
  payload: z.object({ noteId: z.string().min(1), text: z.string() }),
  correlate: (payload) => payload.noteId,
});

/** A step of an order: several per order, correlated by the order's id. */
export const stepTaken = defineEvent({
  producer: 'fixture',
  type: 'fixture.step.taken',
  version: 1,
  payload: z.object({ orderId: z.string().min(1), step: z.number().int() }),
  correlate: (payload) => payload.orderId,
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

export {
  cuttableProxy,
  deleteKeys,
  eventually,
  randomPrefix,
  redisUrl,
  startRedisServer,
} from '../src/testing.js';

export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/** A logger that keeps what it is told, for tests about what gets logged and how loudly. */
export function recordingLogger(): Logger & { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (details: object, message: string): void => {
      lines.push({ level, message, details: details as Record<string, unknown> });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
