import {
  type OrderStatus,
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
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A store's menu as the order subgraph's replica knows it. */
export interface PricedMenu {
  readonly storeId: string;
  readonly deliveryFeeWon: number;
  readonly items: ReadonlyMap<
    string,
    { readonly name: string; readonly priceWon: number; readonly available: boolean }
  >;
}

export interface PlaceOrderRequest {
  readonly id: string;
  readonly customerId: string;
  readonly items: readonly { readonly menuItemId: string; readonly quantity: number }[];
  readonly deliveryAddress: DeliveryAddress;
}

export const limits = { lines: 20, quantity: 50, addressLength: 200 } as const;

/**
 * Where each status sits in the lifecycle. The customer's view only moves forward: an event
 * that arrives late (say, "cooking started" after "rider assigned", because two subgraphs'
 * streams are consumed independently) is kept in the timeline but does not move the status
 * back. Rejected and canceled orders are final.
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

/**
 * An order as its customer sees it, with its timeline. The order subgraph decides payment
 * and confirmation of receipt; every other step is decided by the kitchen or the delivery
 * subgraph and reaches the order through their events (`advance`).
 */
export class Order {
  #state: OrderState;
  /** Timeline entries added since the order was loaded. */
  readonly #newEntries: TimelineEntry[] = [];
  readonly #events: EventEnvelope[] = [];
  /**
   * @param loadedVersion the order row's version when it was loaded (0 for a new order),
   *   for optimistic locking. It must come from the same read as the status: the timeline
   *   is read separately and may already include a concurrent change.
   */
  constructor(
    state: OrderState,
    readonly loadedVersion: number,
  ) {
    this.#state = state;
  }

  /**
   * Prices a new order from the store's menu: the lines, plus the store's delivery fee. The
   * order waits for payment. Refuses, naming the input field: no lines or too many, an item
   * twice, a quantity out of range, an item not on the menu or sold out, a total above what
   * can be charged (`maxOrderTotalWon`), a bad address.
   */
  static place(request: PlaceOrderRequest, menu: PricedMenu, customer: Actor, at: Date): Order {
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
    if (subtotalWon + menu.deliveryFeeWon > maxOrderTotalWon) {
      throw new BadUserInputError(
        'input.items',
        `must cost at most ₩${maxOrderTotalWon.toLocaleString('en-US')} in all, delivery included.`,
      );
    }
    const order = new Order(
      {
        id: request.id,
        customerId: request.customerId,
        storeId: menu.storeId,
        status: 'PAYMENT_PENDING',
        express: false,
        lines,
        subtotalWon,
        deliveryFeeWon: menu.deliveryFeeWon,
        expressFeeWon: 0,
        totalWon: subtotalWon + menu.deliveryFeeWon,
        deliveryAddress,
        riderId: null,
        timeline: [],
        createdAt: at,
        updatedAt: at,
      },
      0,
    );
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
   * The payment was captured: the order goes to its store. Does nothing if the order is
   * already past this point (the synchronous answer and the payment event both report it).
   */
  markPaid(by: Actor, at: Date): void {
    if (this.#state.status !== 'PAYMENT_PENDING') return;
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
          deliveryAddress: this.#state.deliveryAddress,
        },
        { actor: by, occurredAt: at },
      ),
    );
  }

  /**
   * Records a step another subgraph decided (accepted, cooking, ready, rider assigned,
   * picked up). Moves the status forward if the step is further along; a late step is
   * only kept in the timeline; a final order does not change.
   */
  advance(status: OrderStatus, by: Actor, at: Date, change: { riderId?: string } = {}): void {
    const current = this.#state.status;
    if (isFinal(current) || this.#state.timeline.some((entry) => entry.status === status)) return;
    if (change.riderId) this.#state = { ...this.#state, riderId: change.riderId };
    this.#append(status, at, by, null, progress[status] > progress[current]);
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

  /** The events recorded since the last call, for the outbox. */
  pullEvents(): EventEnvelope[] {
    return this.#events.splice(0);
  }

  #append(
    status: OrderStatus,
    at: Date,
    actor: Actor,
    reason: string | null,
    moveStatus = true,
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
