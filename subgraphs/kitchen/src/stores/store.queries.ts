import {
  assertCoordinates,
  BadUserInputError,
  boundingBox,
  type Coordinates,
  distanceKm,
} from '@baedal/domain';
import { type ConnectionArgs, decodeCursor, encodeCursor, pageSize } from '@baedal/service-kit';
import type { Db } from '../db.js';
import type { Store } from '../generated/prisma/client.js';

const maxRadiusKm = 20;

/**
 * Stores within `radiusKm` of `near`, nearest first, as a page of a connection. A bounding
 * box narrows the rows on the (lat, lng) index; the exact distance filters and sorts them.
 * Cursors are offsets into that order.
 */
export async function storesNear(
  db: Db,
  near: Coordinates,
  radiusKm: number,
  args: ConnectionArgs,
) {
  assertCoordinates(near, 'near');
  if (!(radiusKm > 0 && radiusKm <= maxRadiusKm)) {
    throw new BadUserInputError('radiusKm', `must be more than 0 and at most ${maxRadiusKm}.`);
  }
  const size = pageSize(args);
  const offset = args.after ? decodeCursor(args.after, isOffset).offset : 0;
  const box = boundingBox(near, radiusKm);
  const candidates = await db.store.findMany({
    where: { lat: { gte: box.minLat, lte: box.maxLat }, lng: { gte: box.minLng, lte: box.maxLng } },
  });
  const nearby = candidates
    .map((store) => ({ store, distanceKm: distanceKm(near, { lat: store.lat, lng: store.lng }) }))
    .filter((candidate) => candidate.distanceKm <= radiusKm)
    .sort((a, b) => a.distanceKm - b.distanceKm || a.store.id.localeCompare(b.store.id));
  const page = nearby.slice(offset, offset + size);
  const edges = page.map(({ store, distanceKm }, index) => ({
    cursor: encodeCursor({ offset: offset + index + 1 }),
    node: store,
    distanceKm: Math.round(distanceKm * 100) / 100,
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: nearby.length > offset + size,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

const isOffset = (value: unknown): value is { offset: number } =>
  typeof (value as { offset?: unknown })?.offset === 'number' &&
  Number.isInteger((value as { offset: number }).offset) &&
  (value as { offset: number }).offset >= 0;

export function storeLocation(store: Store): Coordinates {
  return { lat: store.lat, lng: store.lng };
}
