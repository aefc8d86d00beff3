import {
  type OrderStatus,
  orderCanceled,
  orderDelivered,
  orderPlaced,
  orderStatusChanged,
} from '@baedal/contracts';
import {
  type Actor,
  assertCoordinates,
  BadUserInputError,
  type Coordinates,
  InvalidTransitionError,
  maxOrderTotalWon,
  requireIntInRange,
  requireText,
} from '@baedal/domain';
import type { EventEnvelope } from '@baedal/event-bus';

export type { OrderStatus };

export interface OrderLine {
  readonly lineNo: number;
  readonly menuItemId: string;
  readonly name: string;
  readonly unitPriceWon: number;
  readonly quantity: number;
}

export interface TimelineEntry {
  readonly seq: number;
  readonly status: OrderStatus;
  readonly at: Date;
  readonly actor: Actor;
  readonly reason: string | null;
}

export interface DeliveryAddress {
  readonly address: string;
  readonly location: Coordinates;
}

export interface OrderState {
  readonly id: string;
  readonly customerId: string;
  readonly storeId: string;
  readonly status: OrderStatus;
  readonly express: boolean;
  readonly lines: readonly OrderLine[];
  readonly subtotalWon: number;
  readonly deliveryFeeWon: number;
  readonly expressFeeWon: number;
  readonly totalWon: number;
  readonly deliveryAddress: DeliveryAddress;
  readonly riderId: string | null;
  readonly timeline: readonly TimelineEntry[];
  /** The key the customer placed it with, if any, and a digest of that request. */
  readonly idempotency: { readonly key: string; readonly requestDigest: string } | null;
  /** The version the order had when it was loaded; 0 for a new order. */
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A store's menu as the order subgraph's replica knows it. */
export interface PricedMenu {
  readonly storeId: string;
  readonly items: ReadonlyMap<
    string,
    { readonly name: string; readonly priceWon: number; readonly available: boolean }
  >;
}

/** What every order pays on top of its food: the platform's fees (configuration). */
export interface DeliveryFees {
  readonly deliveryFeeWon: number;
  readonly expressFeeWon: number;
}

export interface PlaceOrderRequest {
  readonly id: string;
  readonly customerId: string;
  readonly items: readonly { readonly menuItemId: string; readonly quantity: number }[];
  readonly deliveryAddress: DeliveryAddress;
  readonly express: boolean;
  readonly idempotency: OrderState['idempotency'];
}

export const limits = { lines: 20, quantity: 50, addressLength: 200, reasonLength: 500 } as const;

/**
 * Where each status sits in the lifecycle. The customer's view only moves forward: an event
 * that arrives late (say, "cooking started" after "rider assigned", because two subgraphs'
 * streams are consumed independently) is kept in the timeline but does not move the status
 * back. Delivered, rejected and canceled orders are final; a step that arrives after the
 * order ended is still kept in its timeline.
 */
const progress: Record<OrderStatus, number> = {
  PAYMENT_PENDING: 0,
  PLACED: 1,
  ACCEPTED: 2,
  COOKING: 3,
  READY_FOR_PICKUP: 4,
  RIDER_ASSIGNED: 5,
  PICKED_UP: 6,
  DELIVERED: 7,
  REJECTED: 8,
  CANCELED: 8,
};
const isFinal = (status: OrderStatus) =>
  status === 'DELIVERED' || status === 'REJECTED' || status === 'CANCELED';

/** Until cooking starts a customer may cancel; the kitchen ticket has the last word after payment. */
const cancelableByCustomer: readonly OrderStatus[] = ['PAYMENT_PENDING', 'PLACED', 'ACCEPTED'];

/**
 * An order as its customer sees it, with its timeline. The order subgraph decides payment,
 * confirmation of receipt and the expiry of unpaid orders; every other step is decided by the
 * kitchen or the delivery subgraph and reaches the order through their events. Each step
 * records an `order.status-changed` event (the customer's live feed); an order that ends
 * without being delivered records `order.canceled`, which refunds it and closes its ticket
 * and delivery.
 */
export class Order {
  #state: OrderState;
  /** Timeline entries added since the order was loaded. */
  readonly #newEntries: TimelineEntry[] = [];
  readonly #events: EventEnvelope[] = [];

  constructor(state: OrderState) {
    this.#state = state;
  }

  /**
   * Prices a new order from the store's menu: the lines, plus the delivery fee and, for an
   * express order, the express surcharge. The order waits for payment. Refuses, naming the
   * input field: no lines or too many, an item twice, a quantity out of range, an item not on
   * the menu or sold out, a total above what can be charged (`maxOrderTotalWon`), a bad
   * address.
   */
  static place(
    request: PlaceOrderRequest,
    menu: PricedMenu,
    fees: DeliveryFees,
    customer: Actor,
    at: Date,
  ): Order {
    const { items } = request;
    if (items.length === 0 || items.length > limits.lines) {
      throw new BadUserInputError('input.items', `must have from 1 to ${limits.lines} lines.`);
    }
    const lines = items.map(({ menuItemId, quantity }, index) => {
      const field = `input.items[${index}]`;
      const item = menu.items.get(menuItemId);
      if (!item) throw new BadUserInputError(`${field}.menuItemId`, "is not on this store's menu.");
      if (!item.available) throw new BadUserInputError(`${field}.menuItemId`, 'is sold out.');
      if (items.findIndex((other) => other.menuItemId === menuItemId) !== index) {
        throw new BadUserInputError(`${field}.menuItemId`, 'is already on another line.');
      }
      requireIntInRange(quantity, `${field}.quantity`, 1, limits.quantity);
      return {
        lineNo: index + 1,
        menuItemId,
        name: item.name,
        unitPriceWon: item.priceWon,
        quantity,
      };
    });
    const deliveryAddress = {
      address: requireText(
        request.deliveryAddress.address,
        'input.deliveryAddress.address',
        limits.addressLength,
      ),
      location: assertCoordinates(
        request.deliveryAddress.location,
        'input.deliveryAddress.location',
      ),
    };
    const subtotalWon = lines.reduce((sum, line) => sum + line.unitPriceWon * line.quantity, 0);
    const expressFeeWon = request.express ? fees.expressFeeWon : 0;
    const totalWon = subtotalWon + fees.deliveryFeeWon + expressFeeWon;
    if (totalWon > maxOrderTotalWon) {
      throw new BadUserInputError(
        'input.items',
        `must cost at most ₩${maxOrderTotalWon.toLocaleString('en-US')} in all, fees included.`,
      );
    }
    const order = new Order({
      id: request.id,
      customerId: request.customerId,
      storeId: menu.storeId,
      status: 'PAYMENT_PENDING',
      express: request.express,
      lines,
      subtotalWon,
      deliveryFeeWon: fees.deliveryFeeWon,
      expressFeeWon,
      totalWon,
      deliveryAddress,
      riderId: null,
      timeline: [],
      idempotency: request.idempotency,
      version: 0,
      createdAt: at,
      updatedAt: at,
    });
    order.#append('PAYMENT_PENDING', at, customer, null);
    return order;
  }

  get state(): OrderState {
    return this.#state;
  }

  get newEntries(): readonly TimelineEntry[] {
    return this.#newEntries;
  }

  /**
   * The payment was captured: the order goes to its store (`order.placed`). Does nothing if
   * the order is already past this point (the synchronous answer and the payment's event
   * both report it). A capture that arrives after the order was canceled (an unpaid order
   * expired while its charge was still unknown) is only kept in the timeline: the payment
   * subgraph refunds it, since it knows the order was canceled.
   */
  markPaid(by: Actor, at: Date): void {
    const { status } = this.#state;
    if (status === 'CANCELED' && !this.#has('PLACED')) {
      this.#append(
        'PLACED',
        at,
        by,
        'Paid after the order was canceled; the payment is refunded.',
        {
          moveStatus: false,
        },
      );
      return;
    }
    if (status !== 'PAYMENT_PENDING') return;
    this.#append('PLACED', at, by, null);
    const {
      id,
      customerId,
      storeId,
      lines,
      express,
      subtotalWon,
      deliveryFeeWon,
      expressFeeWon,
      totalWon,
      deliveryAddress,
    } = this.#state;
    this.#events.push(
      orderPlaced.create(
        {
          orderId: id,
          customerId,
          storeId,
          items: lines.map(({ menuItemId, name, quantity, unitPriceWon }) => ({
            menuItemId,
            name,
            quantity,
            unitPriceWon,
          })),
          express,
          subtotalWon,
          deliveryFeeWon,
          expressFeeWon,
          totalWon,
          deliveryAddress,
        },
        { actor: by, occurredAt: at },
      ),
    );
  }

  /**
   * Records a step another subgraph decided (accepted, cooking, ready, rider assigned,
   * picked up). Moves the status forward if the step is further along; a late step, or one
   * that arrives after the order ended, is only kept in the timeline. A step already in the
   * timeline changes nothing.
   */
  advance(status: OrderStatus, by: Actor, at: Date, change: { riderId?: string } = {}): void {
    if (this.#has(status)) return;
    const current = this.#state.status;
    if (change.riderId) this.#state = { ...this.#state, riderId: change.riderId };
    this.#append(status, at, by, null, {
      moveStatus: !isFinal(current) && progress[status] > progress[current],
    });
  }

  /** The customer confirms receipt, which completes the order. Only once picked up. */
  confirmDelivery(by: Actor, at: Date): void {
    if (this.#state.status !== 'PICKED_UP') {
      throw new InvalidTransitionError('order', 'confirm delivery of', this.#state.status);
    }
    this.#append('DELIVERED', at, by, null);
    this.#events.push(
      orderDelivered.create(
        { orderId: this.#state.id, customerId: this.#state.customerId },
        { actor: by, occurredAt: at },
      ),
    );
  }

  /**
   * Refuses (`INVALID_TRANSITION`) a customer's cancel that the order's status no longer
   * allows: once cooking started, or once the order ended. Whether a paid order's cancel wins
   * is the kitchen's to say (see `CancelOrder`).
   */
  checkCancelableByCustomer(): void {
    if (!cancelableByCustomer.includes(this.#state.status)) {
      throw new InvalidTransitionError('order', 'cancel', this.#state.status);
    }
  }

  /**
   * The order is canceled: by its customer (the kitchen agreed, or it was never paid), by its
   * rider's accident report, or because the kitchen canceled its ticket. Whatever was paid is
   * refunded (`order.canceled`). Canceling a canceled order changes nothing.
   */
  cancel(by: Actor, reason: string | null, at: Date): void {
    this.#close('CANCELED', by, reason, at);
  }

  /** The store turned the order down; it is refunded (`order.canceled` with REJECTED). */
  reject(by: Actor, reason: string | null, at: Date): void {
    this.#close('REJECTED', by, reason, at);
  }

  /** Unpaid past its deadline: canceled by the system. Only a PAYMENT_PENDING order. */
  expire(at: Date, reason: string): void {
    if (this.#state.status !== 'PAYMENT_PENDING') {
      throw new InvalidTransitionError('order', 'expire', this.#state.status);
    }
    this.#close('CANCELED', { role: 'SYSTEM', id: null }, reason, at);
  }

  /** The events recorded since the last call, for the outbox. */
  pullEvents(): EventEnvelope[] {
    return this.#events.splice(0);
  }

  /**
   * Ends the order. A close of an order that ended otherwise meanwhile (an accident reported
   * as the customer confirmed receipt) is kept in the timeline only: the order keeps its
   * status, and nothing is refunded.
   */
  #close(status: 'CANCELED' | 'REJECTED', by: Actor, reason: string | null, at: Date): void {
    const current = this.#state.status;
    if (current === status) return;
    if (isFinal(current)) {
      if (!this.#has(status)) this.#append(status, at, by, reason, { moveStatus: false });
      return;
    }
    this.#append(status, at, by, reason);
    const { id, customerId, storeId } = this.#state;
    this.#events.push(
      orderCanceled.create(
        { orderId: id, customerId, storeId, status, reason },
        { actor: by, occurredAt: at },
      ),
    );
  }

  #has(status: OrderStatus): boolean {
    return this.#state.timeline.some((entry) => entry.status === status);
  }

  #append(
    status: OrderStatus,
    at: Date,
    actor: Actor,
    reason: string | null,
    { moveStatus = true } = {},
  ): void {
    const entry = { seq: this.#state.timeline.length + 1, status, at, actor, reason };
    this.#state = {
      ...this.#state,
      ...(moveStatus && { status }),
      timeline: [...this.#state.timeline, entry],
      updatedAt: at,
    };
    this.#newEntries.push(entry);
    const { id, customerId, storeId } = this.#state;
    this.#events.push(
      orderStatusChanged.create(
        { orderId: id, customerId, storeId, status, seq: entry.seq },
        { actor, occurredAt: at },
      ),
    );
  }
}
