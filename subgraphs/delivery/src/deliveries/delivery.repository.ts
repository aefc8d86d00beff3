import { ConflictError, isUuid } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
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

  async findByOrder(db: Db | Tx, orderId: string): Promise<Delivery | null> {
    if (!isUuid(orderId)) return null;
    const row = await db.delivery.findUnique({ where: { orderId } });
    return row && toAggregate(row);
  }

  /**
   * Inserts a new delivery or updates a loaded one if nobody changed it since it was loaded
   * (otherwise `CONFLICT`: of two riders claiming at once exactly one wins), then appends its
   * events.
   */
  async save(tx: Tx, delivery: Delivery): Promise<void> {
    const { version, pickup, dropoff, ...state } = delivery.state;
    const columns = {
      status: state.status,
      riderId: state.riderId,
      assignedAt: state.assignedAt,
      pickedUpAt: state.pickedUpAt,
      closedAt: state.closedAt,
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
          feeWon: state.feeWon,
          offeredAt: state.offeredAt,
        },
      });
    } else {
      const { count } = await tx.delivery.updateMany({
        where: { id: state.id, version },
        data: columns,
      });
      if (count === 0) {
        throw new ConflictError(
          'The delivery changed meanwhile (another rider may have claimed it first); load it again.',
        );
      }
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
    feeWon: row.feeWon,
    riderId: row.riderId,
    version: row.version,
    offeredAt: row.offeredAt,
    assignedAt: row.assignedAt,
    pickedUpAt: row.pickedUpAt,
    closedAt: row.closedAt,
  });
}
