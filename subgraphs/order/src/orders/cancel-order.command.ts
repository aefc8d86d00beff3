import {
  DomainError,
  ErrorCode,
  InvalidTransitionError,
  requireText,
  UnavailableError,
} from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requireRole, ServiceUnavailableError, transact, type UseCase } from '@baedal/service-kit';
import type { Db, Tx } from '../db.js';
import type { KitchenClient } from '../kitchen/kitchen.client.js';
import { requireOwnOrder } from './order.access.js';
import { limits, type OrderState, type OrderStatus } from './order.aggregate.js';
import type { OrderRepository } from './order.repository.js';

export interface CancelOrderInput {
  readonly orderId: string;
  readonly reason?: string | null;
}

/** The order status a kitchen ticket's status stands for, to tell the loser of a race. */
const orderStatusOfTicket: Record<string, OrderStatus> = {
  PENDING: 'PLACED',
  ACCEPTED: 'ACCEPTED',
  COOKING: 'COOKING',
  READY: 'READY_FOR_PICKUP',
  DELIVERED: 'DELIVERED',
  REJECTED: 'REJECTED',
  CANCELED: 'CANCELED',
};

/**
 * Flow 6: a customer cancels their order until cooking starts. An order never paid reached no
 * kitchen, so it is canceled here. A paid one is the kitchen's to decide: the kitchen ticket
 * is the single place where a cancel and "cooking started" race, and exactly one wins. This
 * asks it synchronously, so the customer learns the outcome from the mutation: the loser
 * gets `INVALID_TRANSITION` with the status that won. If the kitchen cannot be asked the
 * cancel is refused with `KITCHEN_UNAVAILABLE` (retryable) and nothing changes; if it
 * canceled the ticket but its answer was lost, its `kitchen.order.canceled` event cancels the
 * order here. The canceled order is refunded (`order.canceled`).
 */
export class CancelOrder implements UseCase<CancelOrderInput, OrderState> {
  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox<Tx>,
    private readonly orders: OrderRepository,
    private readonly kitchen: KitchenClient,
  ) {}

  async execute(viewer: Viewer | null, input: CancelOrderInput): Promise<OrderState> {
    const customer = requireRole(viewer, 'CUSTOMER');
    const reason =
      input.reason == null ? null : requireText(input.reason, 'input.reason', limits.reasonLength);
    const order = requireOwnOrder(customer, await this.orders.find(this.db, input.orderId));
    order.checkCancelableByCustomer();

    const unpaid = await this.#cancel(input.orderId, customer, reason, 'if unpaid');
    if (unpaid) return unpaid;

    try {
      await this.kitchen.cancelTicket(
        {
          orderId: order.state.id,
          storeId: order.state.storeId,
          customerId: order.state.customerId,
          reason,
        },
        customer,
      );
    } catch (error) {
      if (error instanceof ServiceUnavailableError) {
        throw new UnavailableError(
          ErrorCode.KitchenUnavailable,
          'The kitchen cannot be asked right now, so the order was not canceled; try again.',
          { orderId: order.state.id },
        );
      }
      if (error instanceof DomainError && error.code === ErrorCode.InvalidTransition) {
        const ticketStatus = String(error.details.currentStatus);
        throw new InvalidTransitionError(
          'order',
          'cancel',
          orderStatusOfTicket[ticketStatus] ?? ticketStatus,
        );
      }
      throw error;
    }
    return (await this.#cancel(input.orderId, customer, reason, 'always'))!;
  }

  /**
   * Cancels the order in its own transaction: `always` (the kitchen agreed), or `if unpaid`
   * (still waiting for payment on a fresh read; otherwise null: the kitchen must be asked).
   */
  #cancel(
    orderId: string,
    by: Viewer,
    reason: string | null,
    when: 'always' | 'if unpaid',
  ): Promise<OrderState | null> {
    return transact(this.outbox, async (tx) => {
      const order = (await this.orders.find(tx, orderId))!;
      if (when === 'if unpaid' && order.state.status !== 'PAYMENT_PENDING') return null;
      order.cancel(by, reason, new Date());
      if (order.newEntries.length > 0) await this.orders.save(tx, order);
      return order.state;
    });
  }
}
