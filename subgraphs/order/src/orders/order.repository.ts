import { type Actor, ConflictError, isUuid } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Db, Tx } from '../db.js';
import type { Prisma } from '../generated/prisma/client.js';
import { Order, type TimelineEntry } from './order.aggregate.js';

/** The `include` that loads an order with what its aggregate holds: lines and timeline, in order. */
export const withDetails = {
  lines: { orderBy: { lineNo: 'asc' } },
  timeline: { orderBy: { seq: 'asc' } },
} as const;
export type OrderRow = Prisma.OrderGetPayload<{ include: typeof withDetails }>;

/** Loads and saves orders with their lines and timelines; saving appends the order's events. */
export class OrderRepository {
  constructor(private readonly outbox: Outbox<Tx>) {}

  /** The order with this id; null for an unknown id, including one that is not a UUID. */
  async find(db: Db | Tx, id: string): Promise<Order | null> {
    if (!isUuid(id)) return null;
    const row = await db.order.findUnique({ where: { id }, include: withDetails });
    return row && toAggregate(row);
  }

  /**
   * Inserts a new order, or updates a loaded one if its version has not changed since it was
   * loaded (otherwise `CONFLICT`: of two racing changes exactly one wins); then inserts the
   * new timeline entries and appends events.
   */
  async save(tx: Tx, order: Order): Promise<void> {
    const { lines, timeline, deliveryAddress, ...state } = order.state;
    const columns = {
      status: state.status,
      riderId: state.riderId,
      version: timeline.length,
      updatedAt: state.updatedAt,
    };
    if (order.loadedVersion === 0) {
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
          createdAt: state.createdAt,
          lines: { create: lines.map((line) => ({ ...line })) },
        },
      });
    } else {
      const { count } = await tx.order.updateMany({
        where: { id: state.id, version: order.loadedVersion },
        data: columns,
      });
      if (count === 0) throw new ConflictError('The order changed meanwhile; load it again.');
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
  return new Order(
    {
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
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    },
    row.version,
  );
}
