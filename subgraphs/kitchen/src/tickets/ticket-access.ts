import type { Viewer } from '@baedal/identity';

/** A ticket is visible to its order's customer, its store's owner, and administrators. */
export function canSeeTicket(
  viewer: Viewer | null,
  ticket: { customerId: string; store: { ownerId: string } },
): boolean {
  if (!viewer) return false;
  switch (viewer.role) {
    case 'ADMIN':
      return true;
    case 'CUSTOMER':
      return ticket.customerId === viewer.id;
    case 'STORE_OWNER':
      return ticket.store.ownerId === viewer.id;
    default:
      return false;
  }
}
