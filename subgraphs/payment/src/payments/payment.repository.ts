import { ConflictError, isUuid, StaleVersionError } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import { requireUpdated } from '@baedal/service-kit';
import type { Db, Tx } from '../db.js';
import {
  type ChargeAttempt as ChargeAttemptRow,
  type Payment as PaymentRow,
  Prisma,
} from '../generated/prisma/client.js';
import { type ChargeAttemptState, Payment } from './payment.aggregate.js';

/** A charge attempt of unknown outcome, with the order it charges. */
export interface PendingAttempt {
  readonly orderId: string;
  readonly attempt: ChargeAttemptState;
}

const withAttempts = { attempts: { orderBy: { startedAt: 'asc' } } } as const;

/**
 * Loads and saves payments with their charge attempts. Saving also writes the points the
 * payment earned or gave back and appends its new events to the outbox.
 */
export class PaymentRepository {
  constructor(private readonly outbox: Outbox<Tx>) {}

  /** The payment of an order; null if it has none, or for an id that is not a UUID. */
  async findByOrder(db: Db | Tx, orderId: string): Promise<Payment | null> {
    if (!isUuid(orderId)) return null;
    const row = await db.payment.findUnique({ where: { orderId }, include: withAttempts });
    return row && toAggregate(row);
  }

  async find(db: Db | Tx, id: string): Promise<Payment | null> {
    const row = await db.payment.findUnique({ where: { id }, include: withAttempts });
    return row && toAggregate(row);
  }

  /**
   * Inserts a new payment (version 0) as version 1, or updates a loaded one only if its
   * version is still the one it was loaded with, raising it by one; otherwise throws
   * `StaleVersionError` (so is a new payment whose order got one meanwhile), and `transact`
   * runs the command again on the fresh state. Then inserts its new attempts, records those
   * settled, writes its new points and appends its events.
   */
  async save(tx: Tx, payment: Payment): Promise<void> {
    const { version, attempts: _, ...state } = payment.state;
    const columns = {
      status: state.status,
      cardLast4: state.cardLast4,
      declineReason: state.declineReason,
      pointsEarned: state.pointsEarned,
      orderClosedAt: state.orderClosedAt,
      capturedAt: state.capturedAt,
      refundedAt: state.refundedAt,
      version: version + 1,
    };
    if (version === 0) {
      try {
        await tx.payment.create({
          data: {
            ...columns,
            id: state.id,
            orderId: state.orderId,
            customerId: state.customerId,
            amountWon: state.amountWon,
            deliveryFeeWon: state.deliveryFeeWon,
            expressFeeWon: state.expressFeeWon,
            createdAt: state.createdAt,
          },
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new StaleVersionError('payment', state.orderId);
        throw error;
      }
    } else {
      const { count } = await tx.payment.updateMany({
        where: { id: state.id, version },
        data: columns,
      });
      requireUpdated(count, 'payment', state.id);
    }

    const { added, settled } = payment.pullAttemptChanges();
    for (const attempt of added) {
      try {
        await tx.chargeAttempt.create({ data: { ...attempt, paymentId: state.id } });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new ConflictError('This attempt key was used for another order.', {
          attemptKey: attempt.key,
        });
      }
    }
    for (const attempt of settled) {
      await tx.chargeAttempt.update({
        where: { key: attempt.key },
        data: {
          status: attempt.status,
          declineReason: attempt.declineReason,
          settledAt: attempt.settledAt,
        },
      });
    }
    // The payment's state machine earns and reverses points once; the unique (payment, kind)
    // makes a second entry of a kind fail loudly instead of counting twice.
    const entries = payment.pullPointsEntries();
    if (entries.length > 0) await tx.pointsEntry.createMany({ data: entries });
    await this.outbox.append(tx, payment.pullEvents());
  }

  /** Attempts of unknown outcome that started before `startedBefore`, oldest first. */
  async pendingAttempts(db: Db, startedBefore: Date, limit: number): Promise<PendingAttempt[]> {
    const rows = await db.chargeAttempt.findMany({
      where: { status: 'PENDING', startedAt: { lt: startedBefore } },
      include: { payment: { select: { orderId: true } } },
      orderBy: { startedAt: 'asc' },
      take: limit,
    });
    return rows.map(({ payment, ...attempt }) => ({
      orderId: payment.orderId,
      attempt: toAttempt(attempt),
    }));
  }

  /** Ids of payments waiting for their refund. */
  async refunding(db: Db, limit: number): Promise<string[]> {
    const rows = await db.payment.findMany({
      where: { status: 'REFUNDING' },
      select: { id: true },
      orderBy: { createdAt: 'asc' },
      take: limit,
    });
    return rows.map((row) => row.id);
  }

  /**
   * Waits until no transaction is changing the payment any more (a shared row lock waits for
   * the writer's commit or rollback). For work started from inside a transaction, such as an
   * event handler, which cannot act after its own commit: once this returns, what the
   * transaction wrote is visible to every later query.
   */
  async waitForWriters(db: Db, id: string): Promise<void> {
    await db.$queryRaw`SELECT 1 FROM payment WHERE id = ${id}::uuid FOR SHARE`;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

function toAttempt(row: ChargeAttemptRow): ChargeAttemptState {
  return {
    key: row.key,
    cardToken: row.cardToken,
    cardLast4: row.cardLast4,
    amountWon: row.amountWon,
    status: row.status,
    declineReason: row.declineReason,
    startedAt: row.startedAt,
    settledAt: row.settledAt,
  };
}

function toAggregate(row: PaymentRow & { attempts: ChargeAttemptRow[] }): Payment {
  return new Payment({
    id: row.id,
    orderId: row.orderId,
    customerId: row.customerId,
    amountWon: row.amountWon,
    deliveryFeeWon: row.deliveryFeeWon,
    expressFeeWon: row.expressFeeWon,
    status: row.status,
    cardLast4: row.cardLast4,
    declineReason: row.declineReason,
    pointsEarned: row.pointsEarned,
    orderClosedAt: row.orderClosedAt,
    version: row.version,
    createdAt: row.createdAt,
    capturedAt: row.capturedAt,
    refundedAt: row.refundedAt,
    attempts: row.attempts.map(toAttempt),
  });
}
