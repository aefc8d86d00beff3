import type { Viewer } from '@baedal/identity';

/**
 * A payment is visible to its customer and to administrators (support staff), nobody else;
 * and only once a charge was asked for: the CANCELED payment of an order closed before any
 * charge (no card, hence no `cardLast4`) is a record for refusing late charges, not a payment.
 */
export function canSeePayment(
  viewer: Viewer | null,
  payment: { customerId: string; cardLast4: string | null },
): boolean {
  if (!viewer || payment.cardLast4 === null) return false;
  if (viewer.role === 'ADMIN') return true;
  return viewer.role === 'CUSTOMER' && payment.customerId === viewer.id;
}
