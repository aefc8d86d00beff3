import { BadUserInputError } from '@baedal/domain';
import type { Viewer } from '@baedal/identity';
import { requireOwner } from '@baedal/service-kit';
import type { OrderContext } from '../context.js';
import type { Order, OrderState } from './order.aggregate.js';

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

/**
 * The order a customer's command names in `input.orderId`: `BAD_USER_INPUT` when there is
 * none, `FORBIDDEN` when it is another customer's (administrators pass).
 */
export function requireOwnOrder(customer: Viewer, order: Order | null): Order {
  if (!order) throw new BadUserInputError('input.orderId', 'no order has this id.');
  requireOwner(customer, order.state.customerId, 'This is not your order.');
  return order;
}
