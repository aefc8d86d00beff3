import { type Actor, DomainError, ErrorCode } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import { type Logger, ServiceUnavailableError, transact } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import type { Order, OrderState } from '../orders/order.aggregate.js';
import type { OrderRepository } from '../orders/order.repository.js';
import type { PaymentClient } from './payment.client.js';

/** What came of asking payment to charge an order. */
export type ChargeOutcome =
  | { readonly kind: 'paid'; readonly order: Order }
  | { readonly kind: 'declined'; readonly reason: string }
  /** Nobody knows yet: payment was not asked (`notAsked`, its breaker is open) or did not say. */
  | { readonly kind: 'unknown'; readonly notAsked: boolean };

/** `PAYMENT_DECLINED` for an order whose card was declined, with the provider's reason. */
export function paymentDeclinedError(orderId: string, reason: string): DomainError {
  return new DomainError(ErrorCode.PaymentDeclined, `The card was declined: ${reason}`, {
    orderId,
    reason,
  });
}

/**
 * Charges orders through the payment subgraph and marks them paid: what `placeOrder` and
 * `payOrder` share. A captured charge marks the order paid at once (its `payment.captured`
 * event would too, later; whichever comes second changes nothing).
 */
export class OrderPayments {
  constructor(
    private readonly outbox: Outbox<Tx>,
    private readonly orders: OrderRepository,
    private readonly payments: PaymentClient,
    private readonly logger: Logger,
  ) {}

  /**
   * Asks payment to charge `order` with a card. `attemptKey` names this attempt: the same key
   * never charges twice (`placeOrder` repeats its key on a retry; `payOrder` makes a new one).
   * Refusals from payment (the order closed meanwhile) propagate as their `DomainError`.
   */
  async charge(
    order: OrderState,
    cardToken: string,
    attemptKey: string,
    by: Actor,
  ): Promise<ChargeOutcome> {
    let answer: Awaited<ReturnType<PaymentClient['charge']>>;
    try {
      answer = await this.payments.charge({
        orderId: order.id,
        customerId: order.customerId,
        amountWon: order.totalWon,
        deliveryFeeWon: order.deliveryFeeWon,
        expressFeeWon: order.expressFeeWon,
        cardToken,
        attemptKey,
      });
    } catch (error) {
      if (!(error instanceof ServiceUnavailableError)) throw error;
      this.logger.warn(
        { err: error, orderId: order.id, notAsked: error.notAsked },
        'payment is unavailable; the order waits for payment',
      );
      return { kind: 'unknown', notAsked: error.notAsked };
    }
    switch (answer.status) {
      case 'CAPTURED':
        return { kind: 'paid', order: await this.#markPaid(order.id, by) };
      case 'DECLINED':
        return { kind: 'declined', reason: answer.declineReason ?? 'The card was declined.' };
      case 'PENDING':
        return { kind: 'unknown', notAsked: false };
    }
  }

  #markPaid(orderId: string, by: Actor): Promise<Order> {
    return transact(this.outbox, async (tx) => {
      const order = (await this.orders.find(tx, orderId))!;
      order.markPaid(by, new Date());
      if (order.newEntries.length > 0) await this.orders.save(tx, order);
      return order;
    });
  }
}
