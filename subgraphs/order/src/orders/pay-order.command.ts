import { randomUUID } from 'node:crypto';
import { ErrorCode, InvalidTransitionError, requireText, UnavailableError } from '@baedal/domain';
import type { Viewer } from '@baedal/identity';
import { requirePerson, type UseCase } from '@baedal/service-kit';
import type { Db } from '../db.js';
import { type OrderPayments, paymentDeclinedError } from '../payments/order-payments.service.js';
import { requireOwnOrder } from './order.access.js';
import type { OrderState } from './order.aggregate.js';
import type { OrderRepository } from './order.repository.js';

export interface PayOrderInput {
  readonly orderId: string;
  readonly payment: { readonly cardToken: string };
}

/**
 * Flow 3: the customer pays an order that waits for payment (payment was slow or down when
 * it was placed, or the card was declined). Each call is a new attempt (its own attempt key);
 * payment first settles an earlier attempt whose outcome was unknown, and if that one went
 * through, the order is paid by it and this card is not charged: an unknown charge is settled
 * exactly once. Refused with `INVALID_TRANSITION` unless the order waits for payment,
 * `PAYMENT_DECLINED`, or `PAYMENT_UNAVAILABLE` (retryable) when the outcome is not known.
 */
export class PayOrder implements UseCase<PayOrderInput, OrderState> {
  constructor(
    private readonly db: Db,
    private readonly orders: OrderRepository,
    private readonly payments: OrderPayments,
  ) {}

  async execute(viewer: Viewer | null, input: PayOrderInput): Promise<OrderState> {
    const customer = requirePerson(viewer, 'CUSTOMER');
    const cardToken = requireText(input.payment.cardToken, 'input.payment.cardToken', 200);
    const order = requireOwnOrder(customer, await this.orders.find(this.db, input.orderId));
    if (order.state.status !== 'PAYMENT_PENDING') {
      throw new InvalidTransitionError('order', 'pay', order.state.status);
    }

    const outcome = await this.payments.charge(
      order.state,
      cardToken,
      `${order.state.id}:${randomUUID()}`,
      customer,
    );
    switch (outcome.kind) {
      case 'paid':
        // Canceled meanwhile (unpaid past its deadline): the payment subgraph refunds it.
        if (outcome.order.state.status === 'CANCELED') {
          throw new InvalidTransitionError('order', 'pay', 'CANCELED');
        }
        return outcome.order.state;
      case 'declined':
        throw paymentDeclinedError(order.state.id, outcome.reason);
      case 'unknown':
        throw new UnavailableError(
          ErrorCode.PaymentUnavailable,
          'Payment did not answer in time. If the charge went through, the order is paid by ' +
            'itself; otherwise try again later.',
          { orderId: order.state.id },
        );
    }
  }
}
