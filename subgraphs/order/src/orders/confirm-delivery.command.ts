import { BadUserInputError } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requireOwner, requireRole, transact, type UseCase } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import type { OrderState } from './order.aggregate.js';
import type { OrderRepository } from './order.repository.js';

/** Flow 8: the customer confirms they received their order, which completes it. */
export class ConfirmDelivery implements UseCase<{ orderId: string }, OrderState> {
  constructor(
    private readonly outbox: Outbox<Tx>,
    private readonly orders: OrderRepository,
  ) {}

  execute(viewer: Viewer | null, input: { orderId: string }): Promise<OrderState> {
    const customer = requireRole(viewer, 'CUSTOMER');
    return transact(this.outbox, async (tx) => {
      const order = await this.orders.find(tx, input.orderId);
      if (!order) throw new BadUserInputError('input.orderId', 'no order has this id.');
      requireOwner(customer, order.state.customerId, 'This is not your order.');
      order.confirmDelivery(customer, new Date());
      await this.orders.save(tx, order);
      return order.state;
    });
  }
}
