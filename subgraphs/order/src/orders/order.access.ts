import type { OrderContext } from '../context.js';
import type { OrderState } from './order.aggregate.js';

/**
 * An order is visible to its customer, to the owner of its store, to the rider who claimed
 * its delivery, and to administrators.
 */
export async function canSeeOrder(
  { viewer, loaders }: OrderContext,
  order: OrderState,
): Promise<boolean> {
  switch (viewer?.role) {
    case 'ADMIN':
      return true;
    case 'CUSTOMER':
      return order.customerId === viewer.id;
    case 'RIDER':
      return order.riderId === viewer.id;
    case 'STORE_OWNER':
      return (await loaders.storeOwner.load(order.storeId)) === viewer.id;
    default:
      return false;
  }
}
