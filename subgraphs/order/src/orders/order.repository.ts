import { type Actor, isUuid } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import { requireUpdated } from '@baedal/service-kit';
import type { Db, Tx } from '../db.js';
import { Prisma } from '../generated/prisma/client.js';
import { Order, type TimelineEntry } from './order.aggregate.js';

/** The `include` that loads an order with what its aggregate holds: lines and timeline, in order. */
export const withDetails = {
  lines: { orderBy: { lineNo: 'asc' } },
  timeline: { orderBy: { seq: 'asc' } },
} as const;
export type OrderRow = Prisma.OrderGetPayload<{ include: typeof withDetails }>;

/**
 * Another order already holds the customer's idempotency key: a retry of the same
 * `placeOrder` that raced this one and saved first.
 */
export class IdempotencyKeyTakenError extends Error {
  override name = 'IdempotencyKeyTakenError';
}

/** Loads and saves orders with their lines and timelines; saving appends the order's events. */
export class OrderRepository {
  constructor(private readonly outbox: Outbox<Tx>) {}

  /** The order with this id; null for an unknown id, including one that is not a UUID. */
  async find(db: Db | Tx, id: string): Promise<Order | null> {
    if (!isUuid(id)) return null;
    const row = await db.order.findUnique({ where: { id }, include: withDetails });
    return row && toAggregate(row);
  }

  /** The order a customer placed with this idempotency key, if any. */
  async findByIdempotencyKey(db: Db | Tx, customerId: string, key: string): Promise<Order | null> {
    const row = await db.order.findUnique({
      where: { customerId_idempotencyKey: { customerId, idempotencyKey: key } },
      include: withDetails,
    });
    return row && toAggregate(row);
  }

  /** Ids of orders still waiting for payment that were placed before `before`, oldest first. */
  async unpaidSince(db: Db, before: Date, limit: number): Promise<string[]> {
    const rows = await db.order.findMany({
      where: { status: 'PAYMENT_PENDING', createdAt: { lt: before } },
      orderBy: { createdAt: 'asc' },
      select: { id: true },
      take: limit,
    });
    return rows.map((row) => row.id);
  }

  /**
   * Inserts a new order (`IdempotencyKeyTakenError` if its idempotency key is taken), or
   * updates a loaded one if its version has not changed since it was loaded
   * (`StaleVersionError` otherwise); then inserts the new timeline entries and appends the
   * order's events.
   */
  async save(tx: Tx, order: Order): Promise<void> {
    const { lines, timeline, deliveryAddress, idempotency, version, ...state } = order.state;
    const columns = {
      status: state.status,
      riderId: state.riderId,
      version: version + 1,
      updatedAt: state.updatedAt,
    };
    if (version === 0) {
      try {
        await tx.order.create({
          data: {
            ...columns,
            id: state.id,
            customerId: state.customerId,
            storeId: state.storeId,
            express: state.express,
            subtotalWon: state.subtotalWon,
            deliveryFeeWon: state.deliveryFeeWon,
            expressFeeWon: state.expressFeeWon,
            totalWon: state.totalWon,
            deliveryAddress: deliveryAddress.address,
            deliveryLat: deliveryAddress.location.lat,
            deliveryLng: deliveryAddress.location.lng,
            idempotencyKey: idempotency?.key ?? null,
            requestDigest: idempotency?.requestDigest ?? null,
            createdAt: state.createdAt,
            lines: { create: lines.map((line) => ({ ...line })) },
          },
        });
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          throw new IdempotencyKeyTakenError('The idempotency key is taken.', { cause: error });
        }
        throw error;
      }
    } else {
      const { count } = await tx.order.updateMany({
        where: { id: state.id, version },
        data: columns,
      });
      requireUpdated(count, 'order', state.id);
    }
    await tx.orderTimelineEntry.createMany({
      data: order.newEntries.map((entry) => ({
        orderId: state.id,
        seq: entry.seq,
        status: entry.status,
        at: entry.at,
        actorRole: entry.actor.role,
        actorId: entry.actor.id,
        reason: entry.reason,
      })),
    });
    await this.outbox.append(tx, order.pullEvents());
  }
}

export function toAggregate(row: OrderRow): Order {
  return new Order({
    id: row.id,
    customerId: row.customerId,
    storeId: row.storeId,
    status: row.status,
    express: row.express,
    lines: row.lines,
    subtotalWon: row.subtotalWon,
    deliveryFeeWon: row.deliveryFeeWon,
    expressFeeWon: row.expressFeeWon,
    totalWon: row.totalWon,
    deliveryAddress: {
      address: row.deliveryAddress,
      location: { lat: row.deliveryLat, lng: row.deliveryLng },
    },
    riderId: row.riderId,
    timeline: row.timeline.map(
      (entry): TimelineEntry => ({
        seq: entry.seq,
        status: entry.status,
        at: entry.at,
        actor: { role: entry.actorRole, id: entry.actorId } as Actor,
        reason: entry.reason,
      }),
    ),
    idempotency:
      row.idempotencyKey && row.requestDigest
        ? { key: row.idempotencyKey, requestDigest: row.requestDigest }
        : null,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}
