import { randomUUID } from 'node:crypto';
import { maxOrderTotalWon } from '@baedal/domain';
import { describe, expect, it } from 'vitest';
import {
  type DeliveryFees,
  Order,
  type OrderStatus,
  type PlaceOrderRequest,
  type PricedMenu,
} from './order.aggregate.js';

const customer = { role: 'CUSTOMER', id: 'customer-1' } as const;
const owner = { role: 'STORE_OWNER', id: 'owner-1' } as const;
const rider = { role: 'RIDER', id: 'rider-1' } as const;
const at = new Date('2026-11-20T12:00:00Z');

const fees: DeliveryFees = { deliveryFeeWon: 3000, expressFeeWon: 2500 };

const menu: PricedMenu = {
  storeId: 'store-1',
  items: new Map([
    ['chicken', { name: 'Fried chicken', priceWon: 19000, available: true }],
    ['cola', { name: 'Cola', priceWon: 2500, available: true }],
    ['special', { name: 'Sold-out special', priceWon: 9000, available: false }],
  ]),
};

function request(overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest {
  return {
    id: randomUUID(),
    customerId: customer.id,
    items: [
      { menuItemId: 'chicken', quantity: 2 },
      { menuItemId: 'cola', quantity: 1 },
    ],
    deliveryAddress: { address: '152 Teheran-ro', location: { lat: 37.5, lng: 127.03 } },
    express: false,
    idempotency: null,
    ...overrides,
  };
}

const placed = () => {
  const order = Order.place(request(), menu, fees, customer, at);
  order.markPaid(customer, at);
  return order;
};

const statuses = (order: Order) => order.state.timeline.map((entry) => entry.status);

describe('placing an order', () => {
  it('prices the lines from the menu and adds the delivery fee, then waits for payment', () => {
    const order = Order.place(request(), menu, fees, customer, at);
    expect(order.state).toMatchObject({
      status: 'PAYMENT_PENDING',
      express: false,
      subtotalWon: 2 * 19000 + 2500,
      deliveryFeeWon: 3000,
      expressFeeWon: 0,
      totalWon: 2 * 19000 + 2500 + 3000,
    });
    expect(order.state.lines[0]).toMatchObject({
      name: 'Fried chicken',
      unitPriceWon: 19000,
      quantity: 2,
    });
    expect(order.pullEvents().map((event) => event.type)).toEqual(['order.status-changed']);
  });

  it('adds the express surcharge to an express order', () => {
    const order = Order.place(request({ express: true }), menu, fees, customer, at);
    expect(order.state).toMatchObject({
      express: true,
      deliveryFeeWon: 3000,
      expressFeeWon: 2500,
      totalWon: 2 * 19000 + 2500 + 3000 + 2500,
    });
  });

  it.each([
    [{ items: [] }, 'input.items'],
    [{ items: [{ menuItemId: 'nope', quantity: 1 }] }, 'input.items[0].menuItemId'],
    [{ items: [{ menuItemId: 'special', quantity: 1 }] }, 'input.items[0].menuItemId'],
    [{ items: [{ menuItemId: 'cola', quantity: 0 }] }, 'input.items[0].quantity'],
    [{ items: [{ menuItemId: 'cola', quantity: 51 }] }, 'input.items[0].quantity'],
    [
      {
        items: [
          { menuItemId: 'cola', quantity: 1 },
          { menuItemId: 'cola', quantity: 2 },
        ],
      },
      'input.items[1].menuItemId',
    ],
    [
      { deliveryAddress: { address: ' ', location: { lat: 37.5, lng: 127 } } },
      'input.deliveryAddress.address',
    ],
    [
      { deliveryAddress: { address: 'x'.repeat(201), location: { lat: 37.5, lng: 127 } } },
      'input.deliveryAddress.address',
    ],
    [
      { deliveryAddress: { address: 'Seoul', location: { lat: 37.5, lng: 181 } } },
      'input.deliveryAddress.location.lng',
    ],
  ])('refuses %j naming %s', (overrides, field) => {
    expect(() => Order.place(request(overrides), menu, fees, customer, at)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field } }),
    );
  });
});

describe('the most an order may cost', () => {
  const luxury: PricedMenu = {
    storeId: 'store-1',
    items: new Map(
      ['a', 'b', 'c'].map((id) => [id, { name: id, priceWon: 1_000_000, available: true }]),
    ),
  };
  const lines = (...ids: string[]) => ids.map((menuItemId) => ({ menuItemId, quantity: 50 }));

  it('refuses a total above what the payment side charges, naming input.items', () => {
    // ₩100,000,000 of food plus the delivery fee is just above the cap.
    expect(() =>
      Order.place(request({ items: lines('a', 'b') }), luxury, fees, customer, at),
    ).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'input.items' } }),
    );
    expect(() =>
      Order.place(request({ items: lines('a', 'b', 'c') }), luxury, fees, customer, at),
    ).toThrow(expect.objectContaining({ details: { field: 'input.items' } }));
  });

  it('places an order of exactly the most that may be charged', () => {
    const order = Order.place(
      request({ items: lines('a', 'b') }),
      luxury,
      { deliveryFeeWon: 0, expressFeeWon: 0 },
      customer,
      at,
    );
    expect(order.state.totalWon).toBe(maxOrderTotalWon);
  });
});

describe('payment', () => {
  it('sends a paid order to its store once, however often payment is reported', () => {
    const order = Order.place(request(), menu, fees, customer, at);
    order.pullEvents();
    order.markPaid(customer, at);
    order.markPaid({ role: 'SYSTEM', id: null }, at);
    expect(order.state.status).toBe('PLACED');
    expect(order.pullEvents().map((event) => event.type)).toEqual([
      'order.status-changed',
      'order.placed',
    ]);
  });
});

describe('following the other subgraphs', () => {
  it('moves forward through the steps, recording each with its actor', () => {
    const order = placed();
    order.advance('ACCEPTED', owner, at);
    order.advance('COOKING', owner, at);
    order.advance('READY_FOR_PICKUP', owner, at);
    order.advance('RIDER_ASSIGNED', rider, at, { riderId: rider.id });
    order.advance('PICKED_UP', rider, at);
    expect(order.state.status).toBe('PICKED_UP');
    expect(order.state.riderId).toBe('rider-1');
    expect(statuses(order)).toEqual([
      'PAYMENT_PENDING',
      'PLACED',
      'ACCEPTED',
      'COOKING',
      'READY_FOR_PICKUP',
      'RIDER_ASSIGNED',
      'PICKED_UP',
    ]);
    expect(order.state.timeline.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(order.state.timeline[5]!.actor).toEqual(rider);
  });

  it('keeps a step that arrives late in the timeline without moving the status back', () => {
    const order = placed();
    order.advance('ACCEPTED', owner, at);
    order.advance('RIDER_ASSIGNED', rider, at, { riderId: rider.id });
    order.advance('READY_FOR_PICKUP', owner, at);
    expect(order.state.status).toBe('RIDER_ASSIGNED');
    expect(statuses(order).slice(-2)).toEqual(['RIDER_ASSIGNED', 'READY_FOR_PICKUP']);
  });

  it('records a step once even if told twice', () => {
    const order = placed();
    order.advance('ACCEPTED', owner, at);
    order.advance('ACCEPTED', owner, at);
    expect(statuses(order)).toEqual(['PAYMENT_PENDING', 'PLACED', 'ACCEPTED']);
  });
});

describe('confirming delivery', () => {
  it('completes a picked-up order and tells the delivery subgraph', () => {
    const order = placed();
    for (const status of [
      'ACCEPTED',
      'COOKING',
      'READY_FOR_PICKUP',
      'RIDER_ASSIGNED',
      'PICKED_UP',
    ] as OrderStatus[]) {
      order.advance(status, owner, at);
    }
    order.pullEvents();
    order.confirmDelivery(customer, at);
    expect(order.state.status).toBe('DELIVERED');
    expect(order.pullEvents().map((event) => event.type)).toEqual([
      'order.status-changed',
      'order.delivered',
    ]);
  });

  it('refuses to confirm an order that is not picked up yet, and changes nothing', () => {
    const order = placed();
    order.advance('COOKING', owner, at);
    const before = order.state;
    expect(() => order.confirmDelivery(customer, at)).toThrow(
      expect.objectContaining({
        code: 'INVALID_TRANSITION',
        details: expect.objectContaining({ currentStatus: 'COOKING' }),
      }),
    );
    expect(order.state).toBe(before);
  });

  it('keeps a step that arrives after the order is delivered, without moving the status', () => {
    const order = placed();
    order.advance('PICKED_UP', rider, at);
    order.confirmDelivery(customer, at);
    order.advance('COOKING', owner, at);
    expect(order.state.status).toBe('DELIVERED');
    expect(statuses(order).slice(-2)).toEqual(['DELIVERED', 'COOKING']);
  });
});

const eventTypes = (order: Order) => order.pullEvents().map((event) => event.type);

describe('ending without delivery', () => {
  it('cancels with the actor and reason in the timeline, and asks for a refund once', () => {
    const order = placed();
    order.pullEvents();
    order.cancel(customer, 'Changed my mind', at);
    order.cancel(customer, 'Changed my mind', at);
    expect(order.state.status).toBe('CANCELED');
    expect(order.state.timeline.at(-1)).toMatchObject({
      status: 'CANCELED',
      actor: customer,
      reason: 'Changed my mind',
    });
    const events = order.pullEvents();
    expect(events.map((event) => event.type)).toEqual(['order.status-changed', 'order.canceled']);
    expect(events[1]!.payload).toMatchObject({ status: 'CANCELED', reason: 'Changed my mind' });
  });

  it('rejects by the store as REJECTED, refunded like a cancel', () => {
    const order = placed();
    order.pullEvents();
    order.reject(owner, 'Out of chicken', at);
    expect(order.state.status).toBe('REJECTED');
    const events = order.pullEvents();
    expect(events[1]!).toMatchObject({
      type: 'order.canceled',
      payload: { status: 'REJECTED', reason: 'Out of chicken' },
    });
  });

  it('lets the customer cancel until cooking starts, and refuses after, changing nothing', () => {
    for (const status of ['PAYMENT_PENDING', 'PLACED', 'ACCEPTED'] as OrderStatus[]) {
      const order = Order.place(request(), menu, fees, customer, at);
      if (status !== 'PAYMENT_PENDING') order.markPaid(customer, at);
      if (status === 'ACCEPTED') order.advance('ACCEPTED', owner, at);
      expect(() => order.checkCancelableByCustomer()).not.toThrow();
    }
    const cooking = placed();
    cooking.advance('COOKING', owner, at);
    const before = cooking.state;
    expect(() => cooking.checkCancelableByCustomer()).toThrow(
      expect.objectContaining({
        code: 'INVALID_TRANSITION',
        details: expect.objectContaining({ currentStatus: 'COOKING' }),
      }),
    );
    expect(cooking.state).toBe(before);
  });

  it('keeps an accident reported as the customer confirmed receipt, without a refund', () => {
    const order = placed();
    order.advance('PICKED_UP', rider, at);
    order.confirmDelivery(customer, at);
    order.pullEvents();
    order.cancel(rider, 'Dropped the box', at);
    expect(order.state.status).toBe('DELIVERED');
    expect(order.state.timeline.at(-1)).toMatchObject({ status: 'CANCELED', actor: rider });
    expect(eventTypes(order)).toEqual(['order.status-changed']);
  });

  it('expires an unpaid order as the system, and nothing else', () => {
    const order = Order.place(request(), menu, fees, customer, at);
    order.pullEvents();
    order.expire(at, 'Not paid within 15 minutes.');
    expect(order.state.status).toBe('CANCELED');
    expect(order.state.timeline.at(-1)).toMatchObject({ actor: { role: 'SYSTEM', id: null } });
    expect(eventTypes(order)).toEqual(['order.status-changed', 'order.canceled']);
    expect(() => placed().expire(at, 'late')).toThrow(
      expect.objectContaining({ code: 'INVALID_TRANSITION' }),
    );
  });

  it('keeps a capture that arrives after an unpaid order was canceled, and never sends it to the store', () => {
    const order = Order.place(request(), menu, fees, customer, at);
    order.expire(at, 'Not paid in time.');
    order.pullEvents();
    order.markPaid({ role: 'SYSTEM', id: null }, at);
    order.markPaid({ role: 'SYSTEM', id: null }, at);
    expect(order.state.status).toBe('CANCELED');
    expect(statuses(order)).toEqual(['PAYMENT_PENDING', 'CANCELED', 'PLACED']);
    expect(order.state.timeline.at(-1)!.reason).toMatch(/refunded/);
    expect(eventTypes(order)).toEqual(['order.status-changed']);
  });
});
