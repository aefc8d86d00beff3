import { randomUUID } from 'node:crypto';
import { type Actor, BadUserInputError, DomainError, ErrorCode, requireText } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { type Logger, requirePerson, retryOnConflict } from '@baedal/service-kit';
import type { Db, Tx } from '../db.js';
import { findMenu } from '../menu/menu-replica.js';
import {
  type ChargeResult,
  type PaymentClient,
  PaymentUnavailableError,
} from '../payments/payment.client.js';
import { Order, type PlaceOrderRequest } from './order.aggregate.js';
import type { OrderRepository } from './order.repository.js';

export interface PlaceOrderInput {
  readonly storeId: string;
  readonly items: PlaceOrderRequest['items'];
  readonly deliveryAddress: PlaceOrderRequest['deliveryAddress'];
  readonly payment: { readonly cardToken: string };
}

/**
 * Flow 2: a customer orders from a store. The order is priced from this subgraph's menu
 * replica (so orders are taken while the kitchen is down), saved as PAYMENT_PENDING, and
 * charged synchronously. A captured charge sends it to the store; nothing else does, so an
 * unpaid order never reaches a kitchen.
 *
 * Saving the order before charging means a captured payment always has an order: if this
 * process dies between the charge and `markPaid`, the payment's `payment.captured` event
 * completes the order instead.
 */
export class PlaceOrder {
  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox<Tx>,
    private readonly orders: OrderRepository,
    private readonly payments: PaymentClient,
    private readonly logger: Logger,
  ) {}

  async execute(viewer: Viewer | null, input: PlaceOrderInput): Promise<Order> {
    // The order is recorded as the viewer's own, so only a customer may place one.
    const customer = requirePerson(viewer, 'CUSTOMER');
    const cardToken = requireText(input.payment.cardToken, 'input.payment.cardToken', 200);
    const menu = await findMenu(this.db, input.storeId);
    if (!menu) throw new BadUserInputError('input.storeId', 'no store with this id takes orders.');
    const order = Order.place(
      {
        id: randomUUID(),
        customerId: customer.id,
        items: input.items,
        deliveryAddress: input.deliveryAddress,
      },
      menu,
      customer,
      new Date(),
    );
    await this.outbox.transaction((tx) => this.orders.save(tx, order));

    const { id: orderId, totalWon } = order.state;
    const charge = await this.#charge({
      orderId,
      customerId: customer.id,
      amountWon: totalWon,
      cardToken,
    });
    if (charge.status === 'DECLINED') {
      throw new DomainError(
        ErrorCode.PaymentDeclined,
        `The card was declined: ${charge.declineReason}`,
        {
          orderId,
          reason: charge.declineReason,
        },
      );
    }
    return this.#markPaid(orderId, customer);
  }

  /**
   * Only an unknown outcome (see `PaymentUnavailableError`) leaves the order waiting for
   * payment as an expected answer; a refused request is a bug, logged and masked at the edge.
   */
  async #charge(request: Parameters<PaymentClient['charge']>[0]): Promise<ChargeResult> {
    try {
      return await this.payments.charge(request);
    } catch (error) {
      if (!(error instanceof PaymentUnavailableError)) throw error;
      this.logger.warn(
        { err: error, orderId: request.orderId },
        'payment failed; the order waits for payment',
      );
      throw new DomainError(
        ErrorCode.PaymentUnavailable,
        'Payment is unavailable right now; the order is saved and waits for payment.',
        { orderId: request.orderId },
      );
    }
  }

  /** The payment's own event may mark the order paid first; then this changes nothing. */
  #markPaid(orderId: string, by: Actor): Promise<Order> {
    return retryOnConflict(() =>
      this.outbox.transaction(async (tx) => {
        const order = (await this.orders.find(tx, orderId))!;
        order.markPaid(by, new Date());
        await this.orders.save(tx, order);
        return order;
      }),
    );
  }
}
