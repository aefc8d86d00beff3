import type { Viewer } from '@baedal/identity';

/** A payment is visible to its customer and to administrators (support staff), nobody else. */
export function canSeePayment(viewer: Viewer | null, payment: { customerId: string }): boolean {
  if (!viewer) return false;
  if (viewer.role === 'ADMIN') return true;
  return viewer.role === 'CUSTOMER' && payment.customerId === viewer.id;
}
