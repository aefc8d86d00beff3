import { BadUserInputError, isUuid } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import { requireUpdated } from '@baedal/service-kit';
import type { Db, Tx } from '../db.js';
import type { Delivery as DeliveryRow } from '../generated/prisma/client.js';
import { Delivery } from './delivery.aggregate.js';

/** Loads and saves deliveries; saving also appends the delivery's new events to the outbox. */
export class DeliveryRepository {
  constructor(private readonly outbox: Outbox<Tx>) {}

  /** The delivery with this id; null for an unknown id, including one that is not a UUID. */
  async find(db: Db | Tx, id: string): Promise<Delivery | null> {
    if (!isUuid(id)) return null;
    const row = await db.delivery.findUnique({ where: { id } });
    return row && toAggregate(row);
  }

  /**
   * The delivery a command's input names (`input.deliveryId`), or `BAD_USER_INPUT` on that
   * field when there is none.
   */
  async requireForInput(tx: Tx, deliveryId: string): Promise<Delivery> {
    const delivery = await this.find(tx, deliveryId);
    if (!delivery) throw new BadUserInputError('input.deliveryId', 'no delivery has this id.');
    return delivery;
  }

  /** The delivery of an order (an order has at most one); null if it has none yet. */
  async findByOrder(db: Db | Tx, orderId: string): Promise<Delivery | null> {
    if (!isUuid(orderId)) return null;
    const row = await db.delivery.findUnique({ where: { orderId } });
    return row && toAggregate(row);
  }

  /**
   * Holds, until `tx` ends, a lock on everything this subgraph knows of one order. The
   * handlers that create an order's delivery and cancel it take it first: each decides on the
   * absence of the other's row (no delivery yet, no cancellation yet), and two replicas
   * running them at once would otherwise both miss the other and leave a canceled order's
   * delivery available.
   */
  async lockOrder(tx: Tx, orderId: string): Promise<void> {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`order:${orderId}`}, 0))`;
  }

  /**
   * Inserts a new delivery (version 1), or updates a loaded one if nobody saved it since it
   * was loaded (`StaleVersionError`, a `CONFLICT`, otherwise: of two riders claiming at once
   * exactly one wins), then appends its events.
   */
  async save(tx: Tx, delivery: Delivery): Promise<void> {
    const { version, pickup, dropoff, ...state } = delivery.state;
    const columns = {
      status: state.status,
      riderId: state.riderId,
      assignedAt: state.assignedAt,
      pickedUpAt: state.pickedUpAt,
      closedAt: state.closedAt,
      cancelReason: state.cancelReason,
      version: version + 1,
    };
    if (version === 0) {
      await tx.delivery.create({
        data: {
          ...columns,
          id: state.id,
          orderId: state.orderId,
          storeId: state.storeId,
          storeOwnerId: state.storeOwnerId,
          customerId: state.customerId,
          express: state.express,
          pickupName: pickup.name,
          pickupAddress: pickup.address,
          pickupLat: pickup.location.lat,
          pickupLng: pickup.location.lng,
          dropoffAddress: dropoff.address,
          dropoffLat: dropoff.location.lat,
          dropoffLng: dropoff.location.lng,
          deliveryFeeWon: state.deliveryFeeWon,
          expressFeeWon: state.expressFeeWon,
          feeWon: state.feeWon,
          offeredAt: state.offeredAt,
        },
      });
    } else {
      const { count } = await tx.delivery.updateMany({
        where: { id: state.id, version },
        data: columns,
      });
      requireUpdated(count, 'delivery', state.id);
    }
    await this.outbox.append(tx, delivery.pullEvents());
  }
}

function toAggregate(row: DeliveryRow): Delivery {
  return new Delivery({
    id: row.id,
    orderId: row.orderId,
    storeId: row.storeId,
    storeOwnerId: row.storeOwnerId,
    customerId: row.customerId,
    status: row.status,
    express: row.express,
    pickup: {
      name: row.pickupName,
      address: row.pickupAddress,
      location: { lat: row.pickupLat, lng: row.pickupLng },
    },
    dropoff: {
      address: row.dropoffAddress,
      location: { lat: row.dropoffLat, lng: row.dropoffLng },
    },
    deliveryFeeWon: row.deliveryFeeWon,
    expressFeeWon: row.expressFeeWon,
    feeWon: row.feeWon,
    riderId: row.riderId,
    version: row.version,
    offeredAt: row.offeredAt,
    assignedAt: row.assignedAt,
    pickedUpAt: row.pickedUpAt,
    closedAt: row.closedAt,
    cancelReason: row.cancelReason,
  });
}
