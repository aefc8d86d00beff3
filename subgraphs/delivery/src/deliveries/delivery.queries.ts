import { boundingBox } from '@baedal/domain';
import {
  afterTimeCursor,
  type Connection,
  type ConnectionArgs,
  decodeTimeCursor,
  type NearbyConnection,
  type NearbyEdge,
  nearbyPage,
  pageSize,
  timeCursor,
  toConnection,
} from '@baedal/service-kit';
import type { Db } from '../db.js';
import type { Delivery, DeliveryStatus } from '../generated/prisma/client.js';
import type { Dispatchable, DispatchPolicy, RiderPosition } from './dispatch.policy.js';

/** An available delivery as a rider browses it: with their distance and travel time to it. */
export interface OfferEdge extends NearbyEdge<Delivery> {
  readonly minutesToPickup: number;
}

export interface OfferConnection {
  readonly edges: OfferEdge[];
  readonly pageInfo: NearbyConnection<Delivery>['pageInfo'];
}

/**
 * The deliveries offered to `rider` (see `DispatchPolicy`), nearest first, as a page of a
 * connection, each with the rider's distance and estimated travel time to its pickup; empty
 * until the rider has reported a location. A bounding box narrows the rows on the (status,
 * lat, lng) index; `nearbyPage` sorts and pages the offered ones by exact distance, so a
 * delivery claimed meanwhile does not make the next page skip one.
 */
export async function availableDeliveries(
  db: Db,
  dispatch: DispatchPolicy,
  rider: RiderPosition | null,
  args: ConnectionArgs,
): Promise<OfferConnection> {
  const here = rider?.location;
  if (!rider || !here) {
    pageSize(args); // refused when out of range, even with nothing to page through
    return { edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
  }
  const box = boundingBox(here, dispatch.radiusKm);
  const candidates = await db.delivery.findMany({
    where: {
      status: 'AVAILABLE',
      pickupLat: { gte: box.minLat, lte: box.maxLat },
      pickupLng: { gte: box.minLng, lte: box.maxLng },
    },
  });
  const offers = candidates.flatMap((delivery) => {
    const reach = dispatch.offer(rider, dispatchable(delivery));
    return reach ? [{ delivery, reach }] : [];
  });
  const page = nearbyPage(
    offers,
    {
      center: here,
      radiusKm: dispatch.radiusKm,
      locationOf: ({ delivery }) => pickupOf(delivery),
      idOf: ({ delivery }) => delivery.id,
    },
    args,
  );
  return {
    pageInfo: page.pageInfo,
    edges: page.edges.map(({ cursor, distanceKm, node: { delivery, reach } }) => ({
      cursor,
      node: delivery,
      distanceKm,
      minutesToPickup: reach.minutesToPickup,
    })),
  };
}

/** A rider's deliveries, most recently claimed first, optionally of some statuses only. */
export async function riderDeliveries(
  db: Db,
  riderId: string,
  args: { readonly status?: readonly DeliveryStatus[] | null } & ConnectionArgs,
): Promise<Connection<Delivery>> {
  const size = pageSize(args);
  const after = args.after ? decodeTimeCursor(args.after) : null;
  const rows = await db.delivery.findMany({
    where: {
      riderId,
      ...(args.status?.length && { status: { in: [...args.status] } }),
      ...(after && afterTimeCursor(after, 'assignedAt', 'id')),
    },
    orderBy: [{ assignedAt: 'desc' }, { id: 'desc' }],
    take: size + 1,
  });
  // A delivery with a rider always has the time it was assigned.
  return toConnection(rows, size, (row) => timeCursor(row.assignedAt!, row.id));
}

/** A stored delivery as the dispatch rule reads it. */
export const dispatchable = (delivery: Delivery): Delivery & Dispatchable => ({
  ...delivery,
  pickupAt: pickupOf(delivery),
});

export const pickupOf = (delivery: Delivery) => ({
  lat: delivery.pickupLat,
  lng: delivery.pickupLng,
});

export const dropoffOf = (delivery: Delivery) => ({
  lat: delivery.dropoffLat,
  lng: delivery.dropoffLng,
});
