import type { Viewer } from '@baedal/identity';
import type { Dispatchable, DispatchPolicy, RiderPosition } from './dispatch.policy.js';

/** The people a delivery concerns. */
interface Parties {
  readonly storeOwnerId: string;
  readonly customerId: string;
  readonly riderId: string | null;
}

/**
 * Whether the viewer is someone the delivery concerns: its order's customer, the rider who
 * claimed it, its store's owner, or an administrator. Only they see where the food goes and
 * which order it is. Ids are only unique within a role, hence the role checks.
 */
export function isPartyTo(viewer: Viewer | null, delivery: Parties): boolean {
  switch (viewer?.role) {
    case 'ADMIN':
      return true;
    case 'CUSTOMER':
      return delivery.customerId === viewer.id;
    case 'RIDER':
      return delivery.riderId === viewer.id;
    case 'STORE_OWNER':
      return delivery.storeOwnerId === viewer.id;
    default:
      return false;
  }
}

/**
 * Whether the viewer may read the delivery at all: the people it concerns (`isPartyTo`), and
 * riders it is offered to now, judged by the dispatch rule from where they last reported
 * being (see `DispatchPolicy`). A rider it is not offered to (too far, too slow for an
 * express delivery, or it is taken) may not read it: which store has food waiting, and for
 * how much, is for the riders who may take it. `positionOf` loads a rider's position; it is
 * only asked about a rider who is not a party to an available delivery.
 */
export async function canReadDelivery(
  viewer: Viewer | null,
  delivery: Parties & Dispatchable,
  dispatch: DispatchPolicy,
  positionOf: (riderId: string) => Promise<RiderPosition | null>,
): Promise<boolean> {
  if (isPartyTo(viewer, delivery)) return true;
  if (viewer?.role !== 'RIDER' || delivery.status !== 'AVAILABLE') return false;
  return dispatch.isOffered(await positionOf(viewer.id), delivery);
}
