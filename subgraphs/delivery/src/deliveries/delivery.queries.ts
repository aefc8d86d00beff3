import { boundingBox, distanceKm } from '@baedal/domain';
import {
  type Connection,
  type ConnectionArgs,
  decodeCursor,
  decodeTimeCursor,
  encodeCursor,
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
 * reported a location. A bounding box narrows the rows on the (status, lat, lng) index; the
 * exact distance filters and sorts them. Cursors are offsets into that order.
 */
export async function availableDeliveries(
  db: Db,
  rider: Rider | null,
  radiusKm: number,
  args: ConnectionArgs,
) {
  const size = pageSize(args);
  const offset = args.after ? decodeCursor(args.after, isOffset).offset : 0;
  const here = rider && riderLocation(rider);
  if (!here) return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
  const box = boundingBox(here, radiusKm);
  const candidates = await db.delivery.findMany({
    where: {
      status: 'AVAILABLE',
      pickupLat: { gte: box.minLat, lte: box.maxLat },
      pickupLng: { gte: box.minLng, lte: box.maxLng },
    },
  });
  const nearby = candidates
    .map((delivery) => ({ delivery, distanceKm: distanceKm(here, pickupOf(delivery)) }))
    .filter((candidate) => candidate.distanceKm <= radiusKm)
    .sort((a, b) => a.distanceKm - b.distanceKm || a.delivery.id.localeCompare(b.delivery.id));
  const edges = nearby.slice(offset, offset + size).map(({ delivery, distanceKm }, index) => ({
    cursor: encodeCursor({ offset: offset + index + 1 }),
    node: delivery,
    distanceKm: roundKm(distanceKm),
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: nearby.length > offset + size,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
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
      ...(after && {
        OR: [{ assignedAt: { lt: after.at } }, { assignedAt: after.at, id: { lt: after.id } }],
      }),
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

/** Distances are shown to 10 m; more digits would suggest a precision they do not have. */
export const roundKm = (km: number) => Math.round(km * 100) / 100;

const isOffset = (value: unknown): value is { offset: number } =>
  typeof (value as { offset?: unknown })?.offset === 'number' &&
  Number.isInteger((value as { offset: number }).offset) &&
  (value as { offset: number }).offset >= 0;
