import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requireRole, transact, type UseCase } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import { requireOwnOrder } from './order.access.js';
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
      const order = requireOwnOrder(customer, await this.orders.find(tx, input.orderId));
      order.confirmDelivery(customer, new Date());
      await this.orders.save(tx, order);
      return order.state;
    });
  }
}
