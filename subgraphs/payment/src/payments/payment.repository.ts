import { ConflictError } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Db, Tx } from '../db.js';
import { type Payment as PaymentRow, Prisma } from '../generated/prisma/client.js';
import { Payment } from './payment.aggregate.js';

/** Another charge of the same order was saved first; its payment is the order's payment. */
export class ConcurrentChargeError extends ConflictError {
  constructor(orderId: string) {
    super('Another charge of this order was recorded first.', { orderId });
  }
}

/** Loads and saves payments; saving also appends the payment's new events to the outbox. */
export class PaymentRepository {
  constructor(private readonly outbox: Outbox<Tx>) {}

  /**
   * Holds, until `tx` ends, a lock that every charge of `orderId` takes first, so that charges
   * of one order run one after the other and a card is never charged twice for it. A
   * transaction-scoped advisory lock, because a first charge has no row to lock yet.
   */
  async lockOrder(tx: Tx, orderId: string): Promise<void> {
    // $executeRaw, not $queryRaw: Prisma cannot read the `void` the function returns.
    await tx.$executeRaw`
      SELECT pg_advisory_xact_lock(hashtext('baedal.payment.charge'), hashtext(${orderId}))`;
  }

  async find(db: Db | Tx, orderId: string): Promise<Payment | null> {
    const row = await db.payment.findUnique({ where: { orderId } });
    return row && toAggregate(row);
  }

  /**
   * Inserts a new payment, or updates a loaded one if nobody changed it since it was loaded,
   * then appends its events. Every change of a payment so far is one more charge attempt, so
   * `attempts` doubles as the row's version: 1 is a new payment. Throws
   * `ConcurrentChargeError` when another charge of the order was saved first (the unique
   * order id, or the version, says so); the transaction must then be abandoned.
   */
  async save(tx: Tx, payment: Payment): Promise<void> {
    const { attempts, ...state } = payment.state;
    const columns = {
      status: state.status,
      cardLast4: state.cardLast4,
      declineReason: state.declineReason,
      capturedAt: state.capturedAt,
      refundedAt: state.refundedAt,
      attempts,
    };
    if (attempts === 1) {
      try {
        await tx.payment.create({
          data: {
            ...columns,
            id: state.id,
            orderId: state.orderId,
            customerId: state.customerId,
            amountWon: state.amountWon,
            createdAt: state.createdAt,
          },
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConcurrentChargeError(state.orderId);
        throw error;
      }
    } else {
      const { count } = await tx.payment.updateMany({
        where: { id: state.id, attempts: attempts - 1 },
        data: columns,
      });
      if (count === 0) throw new ConcurrentChargeError(state.orderId);
    }
    await this.outbox.append(tx, payment.pullEvents());
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

function toAggregate(row: PaymentRow): Payment {
  return new Payment({
    id: row.id,
    orderId: row.orderId,
    customerId: row.customerId,
    amountWon: row.amountWon,
    status: row.status,
    cardLast4: row.cardLast4,
    declineReason: row.declineReason,
    attempts: row.attempts,
    createdAt: row.createdAt,
    capturedAt: row.capturedAt,
    refundedAt: row.refundedAt,
  });
}
