import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KitchenTicket, type TicketStatus } from './kitchen-ticket.aggregate.js';

const owner = { role: 'STORE_OWNER', id: 'owner-1' } as const;
const customer = { role: 'CUSTOMER', id: 'customer-1' } as const;
const at = new Date('2026-11-20T12:00:00Z');

function ticket(status: TicketStatus = 'PENDING') {
  const received = KitchenTicket.receive(
    {
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
    },
    customer,
  );
  received.pullEvents();
  return status === 'PENDING' ? received : new KitchenTicket({ ...received.state, status });
}

describe('kitchen ticket', () => {
  it('announces a received order, on behalf of the customer who placed it', () => {
    const {
      orderId,
      store,
      customerId,
      items,
      express,
      dropoff,
      deliveryFeeWon,
      expressFeeWon,
      placedAt,
    } = ticket().state;
    const t = KitchenTicket.receive(
      {
        orderId,
        store,
        customerId,
        items,
        express,
        dropoff,
        deliveryFeeWon,
        expressFeeWon,
        placedAt,
      },
      customer,
    );
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

  it.each([
    ['accept', 'ACCEPTED'],
    ['accept', 'COOKING'],
    ['startCooking', 'PENDING'],
    ['startCooking', 'READY'],
    ['finishCooking', 'ACCEPTED'],
    ['finishCooking', 'CANCELED'],
  ] as const)('refuses to %s a ticket that is %s, and changes nothing', (action, status) => {
    const t = ticket(status);
    const before = t.state;
    expect(() => t[action](owner, at)).toThrow(
      expect.objectContaining({
        code: 'INVALID_TRANSITION',
        details: expect.objectContaining({ currentStatus: status }),
      }),
    );
    expect(t.state).toBe(before);
    expect(t.pullEvents()).toEqual([]);
  });
});
