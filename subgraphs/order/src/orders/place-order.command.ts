import { createHash, randomUUID } from 'node:crypto';
import {
  BadUserInputError,
  DomainError,
  ErrorCode,
  maxIdLength,
  requireText,
} from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requirePerson, transact, type UseCase } from '@baedal/service-kit';
import type { Db, Tx } from '../db.js';
import { findMenu } from '../menu/menu-replica.js';
import { type OrderPayments, paymentDeclinedError } from '../payments/order-payments.service.js';
import {
  type DeliveryFees,
  Order,
  type OrderState,
  type PlaceOrderRequest,
} from './order.aggregate.js';
import { IdempotencyKeyTakenError, type OrderRepository } from './order.repository.js';

export interface PlaceOrderInput {
  readonly storeId: string;
  readonly items: PlaceOrderRequest['items'];
  readonly deliveryAddress: PlaceOrderRequest['deliveryAddress'];
  readonly payment: { readonly cardToken: string };
  readonly express?: boolean | null;
  readonly idempotencyKey?: string | null;
}

/** The order, and, when it waits for payment, why and what to do. */
export interface PlacedOrder {
  readonly order: OrderState;
  readonly message: string | null;
}

/**
 * Flow 2: a customer orders from a store. The order is priced from this subgraph's menu
 * replica (so orders are taken while the kitchen is down), plus the delivery fee and, for an
 * express order, the express surcharge; saved as PAYMENT_PENDING; then charged synchronously
 * through the payment circuit breaker. A captured charge sends it to the store; nothing else
 * does, so an unpaid order never reaches a kitchen. A declined card is refused with
 * `PAYMENT_DECLINED` (the order waits for `payOrder`); when payment is slow or down the order
 * is answered as it is, waiting for payment, with a message.
 *
 * Saving the order before charging means a captured payment always has an order: if this
 * process dies between the charge and marking it paid, the payment's `payment.captured`
 * event completes the order instead.
 *
 * With an idempotency key, a repeated request (same customer, same key) answers the order of
 * the first one: the key is unique per customer in the database, so of two racing requests one
 * saves the order and the other finds it; a repeat of an order still waiting for payment sends
 * the first request's charge again, with the same attempt key, which payment never charges
 * twice. The same key with another request is refused with `IDEMPOTENCY_KEY_REUSED`. The card
 * token is not part of the comparison: a client's payment SDK may mint a new one per try.
 */
export class PlaceOrder implements UseCase<PlaceOrderInput, PlacedOrder> {
  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox<Tx>,
    private readonly orders: OrderRepository,
    private readonly payments: OrderPayments,
    private readonly fees: DeliveryFees,
    /** How long an order may wait for payment, for the message. */
    private readonly unpaidOrderTtlMs: number,
  ) {}

  async execute(viewer: Viewer | null, input: PlaceOrderInput): Promise<PlacedOrder> {
    // The order is recorded as the viewer's own, so only a customer may place one.
    const customer = requirePerson(viewer, 'CUSTOMER');
    const cardToken = requireText(input.payment.cardToken, 'input.payment.cardToken', 200);
    const key =
      input.idempotencyKey == null
        ? null
        : requireText(input.idempotencyKey, 'input.idempotencyKey', maxIdLength);
    const idempotency = key ? { key, requestDigest: digestOf(input) } : null;
    if (idempotency) {
      const first = await this.orders.findByIdempotencyKey(this.db, customer.id, idempotency.key);
      if (first) return this.#repeat(first, idempotency.requestDigest, cardToken);
    }

    const menu = await findMenu(this.db, input.storeId);
    if (!menu) throw new BadUserInputError('input.storeId', 'no store with this id takes orders.');
    const order = Order.place(
      {
        id: randomUUID(),
        customerId: customer.id,
        items: input.items,
        deliveryAddress: input.deliveryAddress,
        express: input.express ?? false,
        idempotency,
      },
      menu,
      this.fees,
      customer,
      new Date(),
    );
    try {
      await transact(this.outbox, (tx) => this.orders.save(tx, order));
    } catch (error) {
      if (!(error instanceof IdempotencyKeyTakenError && idempotency)) throw error;
      const first = await this.orders.findByIdempotencyKey(this.db, customer.id, idempotency.key);
      return this.#repeat(first!, idempotency.requestDigest, cardToken);
    }
    return this.#pay(order.state, cardToken, customer);
  }

  /** A request with a key already used: the first order, paid for by the first request's charge. */
  #repeat(first: Order, requestDigest: string, cardToken: string): Promise<PlacedOrder> {
    const { state } = first;
    if (state.idempotency?.requestDigest !== requestDigest) {
      throw new DomainError(
        ErrorCode.IdempotencyKeyReused,
        'This idempotency key was already used for another order request; use a new key for a new order.',
        { field: 'input.idempotencyKey', orderId: state.id },
      );
    }
    if (state.status !== 'PAYMENT_PENDING') return Promise.resolve({ order: state, message: null });
    return this.#pay(state, cardToken, { role: 'CUSTOMER', id: state.customerId });
  }

  async #pay(order: OrderState, cardToken: string, by: Viewer): Promise<PlacedOrder> {
    // One attempt key per order for `placeOrder`: a repeat never charges twice.
    const outcome = await this.payments.charge(order, cardToken, `${order.id}:place`, by);
    switch (outcome.kind) {
      case 'paid':
        return { order: outcome.order.state, message: null };
      case 'declined':
        throw paymentDeclinedError(order.id, outcome.reason);
      case 'unknown': {
        const minutes = Math.round(this.unpaidOrderTtlMs / 60_000);
        return {
          order,
          message:
            'Payment is slow or unavailable right now, so your order is saved and waits for ' +
            'payment. If the charge went through, the order goes to the store by itself; ' +
            `otherwise pay it with payOrder within ${minutes} minutes, or it is canceled.`,
        };
      }
    }
  }
}

/**
 * What identifies a `placeOrder` request for its idempotency key: everything but the card
 * token, in a canonical form (lines sorted by item).
 */
function digestOf(input: PlaceOrderInput): string {
  const canonical = JSON.stringify({
    storeId: input.storeId,
    items: [...input.items]
      .map(({ menuItemId, quantity }) => ({ menuItemId, quantity }))
      .sort((a, b) => (a.menuItemId < b.menuItemId ? -1 : a.menuItemId > b.menuItemId ? 1 : 0)),
    address: input.deliveryAddress.address,
    lat: input.deliveryAddress.location.lat,
    lng: input.deliveryAddress.location.lng,
    express: input.express ?? false,
  });
  return createHash('sha256').update(canonical).digest('base64url');
}
