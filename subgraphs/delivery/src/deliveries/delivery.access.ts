import type { Viewer } from '@baedal/identity';
import type { DeliveryStatus } from './delivery.aggregate.js';

type Parties = {
  readonly status: DeliveryStatus;
  readonly storeOwnerId: string;
  readonly customerId: string;
  readonly riderId: string | null;
};

/**
 * Whether the viewer is someone the delivery concerns: its order's customer, the rider who
 * claimed it, its store's owner, or an administrator. Only they see where the food goes and which order it is.
 * Ids are only unique within a role, hence the role checks.
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

/** A delivery is visible to the people it concerns and, while it waits for one, to any rider. */
export function canSeeDelivery(viewer: Viewer | null, delivery: Parties): boolean {
  return (
    isPartyTo(viewer, delivery) || (viewer?.role === 'RIDER' && delivery.status === 'AVAILABLE')
  );
}
