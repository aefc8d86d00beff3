import {
  assertCoordinates,
  BadUserInputError,
  boundingBox,
  type Coordinates,
} from '@baedal/domain';
import { type ConnectionArgs, nearbyPage } from '@baedal/service-kit';
import type { Db } from '../db.js';
import type { Store } from '../generated/prisma/client.js';
import type { TicketStore } from '../tickets/kitchen-ticket.aggregate.js';

const maxRadiusKm = 20;

/**
 * Stores within `radiusKm` of `near`, nearest first, as a page of a connection. A bounding
 * box narrows the rows on the (lat, lng) index; `nearbyPage` filters them by exact distance,
 * sorts and pages them.
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
  const box = boundingBox(near, radiusKm);
  const candidates = await db.store.findMany({
    where: { lat: { gte: box.minLat, lte: box.maxLat }, lng: { gte: box.minLng, lte: box.maxLng } },
  });
  return nearbyPage(
    candidates,
    { center: near, radiusKm, locationOf: storeLocation, idOf: (store) => store.id },
    args,
  );
}

export function storeLocation(store: Store): Coordinates {
  return { lat: store.lat, lng: store.lng };
}

/** The store as a kitchen ticket keeps it. */
export function ticketStore(store: Store): TicketStore {
  return {
    id: store.id,
    ownerId: store.ownerId,
    name: store.name,
    address: store.address,
    location: storeLocation(store),
  };
}
