import { BadUserInputError } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requireOwner, requireRole } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import type { Order } from './order.aggregate.js';
import type { OrderRepository } from './order.repository.js';

/** Flow 8: the customer confirms they received their order, which completes it. */
export function confirmDelivery(outbox: Outbox<Tx>, orders: OrderRepository) {
  return (viewer: Viewer | null, orderId: string): Promise<Order> => {
    const customer = requireRole(viewer, 'CUSTOMER');
    return outbox.transaction(async (tx) => {
      const order = await orders.find(tx, orderId);
      if (!order) throw new BadUserInputError('input.orderId', 'no order has this id.');
      requireOwner(customer, order.state.customerId, 'This is not your order.');
      order.confirmDelivery(customer, new Date());
      await orders.save(tx, order);
      return order;
    });
  };
}
