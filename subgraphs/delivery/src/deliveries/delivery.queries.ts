import { boundingBox } from '@baedal/domain';
import {
  afterTimeCursor,
  type Connection,
  type ConnectionArgs,
  decodeTimeCursor,
  type NearbyConnection,
  nearbyPage,
  pageSize,
  timeCursor,
  toConnection,
} from '@baedal/service-kit';
import type { Db } from '../db.js';
import type { Delivery, DeliveryStatus, Rider } from '../generated/prisma/client.js';
import { riderLocation } from '../riders/rider-profile.js';

/**
 * Deliveries waiting for a rider whose pickup is within `radiusKm` of where `rider` last
 * reported being, nearest first, as a page of a connection; empty until the rider has
 * reported a location. A bounding box narrows the rows on the (status, lat, lng) index;
 * `nearbyPage` filters them by exact distance, sorts and pages them, so a delivery claimed
 * meanwhile does not make the next page skip one.
 */
export async function availableDeliveries(
  db: Db,
  rider: Rider | null,
  radiusKm: number,
  args: ConnectionArgs,
): Promise<NearbyConnection<Delivery>> {
  const here = rider && riderLocation(rider);
  if (!here) {
    pageSize(args); // refused when out of range, even with nothing to page through
    return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
  }
  const box = boundingBox(here, radiusKm);
  const candidates = await db.delivery.findMany({
    where: {
      status: 'AVAILABLE',
      pickupLat: { gte: box.minLat, lte: box.maxLat },
      pickupLng: { gte: box.minLng, lte: box.maxLng },
    },
  });
  return nearbyPage(
    candidates,
    { center: here, radiusKm, locationOf: pickupOf, idOf: (delivery) => delivery.id },
    args,
  );
}

/** A rider's deliveries, most recently claimed first, optionally of some statuses only. */
export async function riderDeliveries(
  db: Db,
  riderId: string,
  args: { status?: DeliveryStatus[] | null } & ConnectionArgs,
): Promise<Connection<Delivery>> {
  const size = pageSize(args);
  const after = args.after ? decodeTimeCursor(args.after) : null;
  const rows = await db.delivery.findMany({
    where: {
      riderId,
      ...(args.status?.length && { status: { in: args.status } }),
      ...(after && afterTimeCursor(after, 'assignedAt', 'id')),
    },
    orderBy: [{ assignedAt: 'desc' }, { id: 'desc' }],
    take: size + 1,
  });
  // A delivery with a rider always has the time it was assigned.
  return toConnection(rows, size, (row) => timeCursor(row.assignedAt!, row.id));
}

export const pickupOf = (delivery: Delivery) => ({
  lat: delivery.pickupLat,
  lng: delivery.pickupLng,
});

export const dropoffOf = (delivery: Delivery) => ({
  lat: delivery.dropoffLat,
  lng: delivery.dropoffLng,
});
