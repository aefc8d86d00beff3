import { type Coordinates, ForbiddenError } from '@baedal/domain';
import type { Viewer } from '@baedal/identity';
import type { Db, Tx } from '../db.js';
import type { RiderPosition } from '../deliveries/dispatch.policy.js';
import type { Rider } from '../generated/prisma/client.js';

/** The signed-in rider's profile (the Rider whose id is the token's `sub`), or `FORBIDDEN`. */
export async function requireRiderProfile(db: Db | Tx, viewer: Viewer): Promise<Rider> {
  const rider = await db.rider.findUnique({ where: { id: viewer.id } });
  if (!rider) throw new ForbiddenError('No rider profile for this account.');
  return rider;
}

/** Where the rider last said they were; null until they have reported a location. */
export function riderLocation(rider: Rider): Coordinates | null {
  return rider.lat === null || rider.lng === null ? null : { lat: rider.lat, lng: rider.lng };
}

/** The rider as dispatch sees them: last reported location and vehicle. */
export function riderPosition(rider: Rider): RiderPosition {
  return { location: riderLocation(rider), vehicle: rider.vehicle };
}
