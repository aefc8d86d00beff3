import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  KitchenTicket,
  type ReceivedOrder,
  type TicketStatus,
} from './kitchen-ticket.aggregate.js';

const owner = { role: 'STORE_OWNER', id: 'owner-1' } as const;
const customer = { role: 'CUSTOMER', id: 'customer-1' } as const;
const rider = { role: 'RIDER', id: 'rider-1' } as const;
const at = new Date('2026-11-20T12:00:00Z');
const later = new Date('2026-11-20T12:30:00Z');

function order(): ReceivedOrder {
  return {
    orderId: randomUUID(),
    store: {
      id: 'store-1',
      ownerId: 'owner-1',
      name: 'Store',
      address: 'Seoul',
      location: { lat: 37.5, lng: 127 },
    },
    customerId: 'customer-1',
    items: [{ menuItemId: 'm1', name: 'Fried chicken', quantity: 2 }],
    express: false,
    dropoff: { address: 'Home', location: { lat: 37.51, lng: 127.01 } },
    deliveryFeeWon: 3000,
    expressFeeWon: 0,
    placedAt: at,
  };
}

/** A ticket in `status`, as loaded (version 1), with no events left to pull. */
function ticket(status: TicketStatus = 'PENDING') {
  const received = KitchenTicket.receive(order(), customer);
  return new KitchenTicket({ ...received.state, status, version: 1 });
}

/** Asserts that `act` is refused with the ticket's status, and that it changed nothing. */
function expectRefused(t: KitchenTicket, act: () => void) {
  const before = t.state;
  expect(act).toThrow(
    expect.objectContaining({
      code: 'INVALID_TRANSITION',
      details: expect.objectContaining({ currentStatus: before.status }),
    }),
  );
  expect(t.state).toBe(before);
  expect(t.pullEvents()).toEqual([]);
}

describe('kitchen ticket', () => {
  it('announces a received order, on behalf of the customer who placed it', () => {
    const t = KitchenTicket.receive(order(), customer);
    expect(t.state).toMatchObject({ status: 'PENDING', version: 0, closedAt: null, reason: null });
    expect(t.pullEvents()).toEqual([
      expect.objectContaining({ type: 'kitchen.order.received', actor: customer }),
    ]);
  });

  it('goes from pending through accepted and cooking to ready, one event per step', () => {
    const t = ticket();
    t.accept(owner, at);
    t.startCooking(owner, at);
    t.finishCooking(owner, at);

    expect(t.state).toMatchObject({
      status: 'READY',
      acceptedAt: at,
      cookingStartedAt: at,
      readyAt: at,
    });
    expect(t.pullEvents().map((event) => event.type)).toEqual([
      'kitchen.order.accepted',
      'kitchen.cooking.started',
      'kitchen.order.ready-for-pickup',
    ]);
    expect(t.pullEvents()).toEqual([]);
  });

  it('hands dispatch everything it needs when the food is ready', () => {
    const t = ticket('COOKING');
    t.finishCooking(owner, at);
    const [event] = t.pullEvents();
    expect(event).toMatchObject({
      correlationId: t.state.orderId,
      actor: owner,
      payload: {
        pickup: { name: 'Store', address: 'Seoul', location: { lat: 37.5, lng: 127 } },
        dropoff: { address: 'Home' },
        deliveryFeeWon: 3000,
      },
    });
  });

  it('is rejected by the store while pending, closed with the reason, announced', () => {
    const t = ticket();
    t.reject('Out of chicken.', owner, at);
    expect(t.state).toMatchObject({ status: 'REJECTED', closedAt: at, reason: 'Out of chicken.' });
    expect(t.pullEvents()).toEqual([
      expect.objectContaining({
        type: 'kitchen.order.rejected',
        actor: owner,
        payload: { orderId: t.state.orderId, storeId: 'store-1', reason: 'Out of chicken.' },
      }),
    ]);
  });

  it.each(['PENDING', 'ACCEPTED'] as const)(
    'is canceled by its customer while %s, closed with the reason, announced',
    (status) => {
      const t = ticket(status);
      t.cancel('Ordered by mistake.', customer, at);
      expect(t.state).toMatchObject({
        status: 'CANCELED',
        closedAt: at,
        reason: 'Ordered by mistake.',
      });
      expect(t.pullEvents()).toEqual([
        expect.objectContaining({
          type: 'kitchen.order.canceled',
          actor: customer,
          payload: { orderId: t.state.orderId, storeId: 'store-1', reason: 'Ordered by mistake.' },
        }),
      ]);
    },
  );

  it('answers a repeated cancel without changing or announcing anything', () => {
    const t = ticket();
    t.cancel(null, customer, at);
    t.pullEvents();
    const canceled = t.state;
    t.cancel('Again.', customer, later);
    expect(t.state).toBe(canceled);
    expect(t.pullEvents()).toEqual([]);
  });

  it('is born canceled when its cancel came before the order, announcing only the cancel', () => {
    const t = KitchenTicket.receiveCanceled(order(), {
      reason: 'Changed my mind.',
      by: customer,
      at,
    });
    expect(t.state).toMatchObject({
      status: 'CANCELED',
      version: 0,
      closedAt: at,
      reason: 'Changed my mind.',
    });
    expect(t.pullEvents()).toEqual([
      expect.objectContaining({
        type: 'kitchen.order.canceled',
        actor: customer,
        occurredAt: at.toISOString(),
      }),
    ]);
  });

  it.each(['PENDING', 'ACCEPTED', 'COOKING', 'READY'] as const)(
    'closes a %s ticket when its order is canceled elsewhere',
    (status) => {
      const t = ticket(status);
      t.closeForCanceledOrder('The food was damaged.', rider, later);
      expect(t.state).toMatchObject({
        status: 'CANCELED',
        closedAt: later,
        reason: 'The food was damaged.',
      });
      expect(t.isOpen).toBe(false);
      expect(t.pullEvents()).toEqual([
        expect.objectContaining({ type: 'kitchen.order.canceled', actor: rider }),
      ]);
    },
  );

  it.each(['DELIVERED', 'REJECTED', 'CANCELED'] as const)(
    'leaves a %s ticket as it is when its order is canceled elsewhere',
    (status) => {
      const t = ticket(status);
      const before = t.state;
      t.closeForCanceledOrder('Late news.', rider, later);
      expect(t.state).toBe(before);
      expect(t.pullEvents()).toEqual([]);
    },
  );

  it('is delivered from ready, silently, and stays delivered when told again', () => {
    const t = ticket('READY');
    t.markDelivered(later);
    expect(t.state).toMatchObject({ status: 'DELIVERED', closedAt: later });
    const delivered = t.state;
    t.markDelivered(new Date());
    expect(t.state).toBe(delivered);
    expect(t.pullEvents()).toEqual([]);
  });

  it('may be reviewed once delivered, and only then', () => {
    expect(() => ticket('DELIVERED').requireReviewable()).not.toThrow();
    for (const status of ['PENDING', 'READY', 'CANCELED'] as const) {
      const t = ticket(status);
      expectRefused(t, () => t.requireReviewable());
    }
  });

  it.each([
    ['accept', 'ACCEPTED'],
    ['accept', 'COOKING'],
    ['startCooking', 'PENDING'],
    ['startCooking', 'READY'],
    ['startCooking', 'CANCELED'],
    ['finishCooking', 'ACCEPTED'],
    ['finishCooking', 'CANCELED'],
  ] as const)('refuses to %s a ticket that is %s, and changes nothing', (action, status) => {
    const t = ticket(status);
    expectRefused(t, () => t[action](owner, at));
  });

  it.each(['ACCEPTED', 'COOKING', 'CANCELED'] as const)(
    'refuses to reject a ticket that is %s, and changes nothing',
    (status) => {
      const t = ticket(status);
      expectRefused(t, () => t.reject('Too late.', owner, at));
    },
  );

  it.each(['COOKING', 'READY', 'DELIVERED', 'REJECTED'] as const)(
    'refuses to cancel a ticket that is %s, and changes nothing',
    (status) => {
      const t = ticket(status);
      expectRefused(t, () => t.cancel(null, customer, at));
    },
  );

  it.each(['ACCEPTED', 'COOKING', 'CANCELED'] as const)(
    'refuses to mark a %s ticket delivered, and changes nothing',
    (status) => {
      const t = ticket(status);
      expectRefused(t, () => t.markDelivered(at));
    },
  );
});
