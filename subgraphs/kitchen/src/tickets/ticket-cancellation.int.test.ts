import { randomUUID } from 'node:crypto';
import { generateServiceKeyPair } from '@baedal/identity';
import { assertionsAs, eventually } from '@baedal/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  act,
  announced,
  applied,
  cancellation,
  cookedCount,
  customer,
  type Kitchen,
  orderAssertion,
  orderCanceledEvent,
  orderDeliveredEvent,
  orderIn,
  orderPlacedEvent,
  otherCustomer,
  owner,
  placeOrder,
  publish,
  requestCancel,
  rider,
  startKitchen,
  ticketRow,
} from '../kitchen.testing.js';

let kitchen: Kitchen;

beforeAll(async () => {
  kitchen = await startKitchen();
});

afterAll(() => kitchen?.[Symbol.asyncDispose]());

const eventTypes = async (orderId: string) =>
  (await announced(kitchen, orderId)).map((event) => event.type);

describe('the cancel endpoint (the order subgraph asks, the ticket decides)', () => {
  it.each(['PENDING', 'ACCEPTED'] as const)(
    'cancels a %s ticket with its reason, and announces it once',
    async (status) => {
      const orderId = await orderIn(kitchen, status);
      const reply = await requestCancel(kitchen, cancellation(orderId));

      expect(reply).toEqual({ status: 200, body: { status: 'CANCELED' } });
      expect(await ticketRow(kitchen, orderId)).toMatchObject({
        status: 'CANCELED',
        closedAt: expect.any(Date),
        reason: 'Ordered by mistake.',
      });
      expect((await announced(kitchen, orderId)).at(-1)).toMatchObject({
        type: 'kitchen.order.canceled',
        actor: customer,
        payload: { orderId, storeId: 'store-gangnam-chicken', reason: 'Ordered by mistake.' },
      });
    },
  );

  it('answers a repeated cancel as won again, without changing or announcing anything', async () => {
    const orderId = await orderIn(kitchen, 'CANCELED');
    const before = await ticketRow(kitchen, orderId);
    const events = await eventTypes(orderId);

    const reply = await requestCancel(kitchen, cancellation(orderId, { reason: 'Again.' }));
    expect(reply).toEqual({ status: 200, body: { status: 'CANCELED' } });
    expect(await ticketRow(kitchen, orderId)).toMatchObject({
      status: 'CANCELED',
      closedAt: before.closedAt,
      reason: before.reason,
    });
    expect(await eventTypes(orderId)).toEqual(events);
  });

  it.each(['COOKING', 'READY', 'DELIVERED', 'REJECTED'] as const)(
    'refuses to cancel a %s ticket with its status, and changes nothing',
    async (status) => {
      const orderId = await orderIn(kitchen, status);
      const before = await ticketRow(kitchen, orderId);
      const events = await eventTypes(orderId);

      const reply = await requestCancel(kitchen, cancellation(orderId));
      expect(reply.status).toBe(409);
      expect(reply.body.error).toMatchObject({ code: 'INVALID_TRANSITION', currentStatus: status });
      expect(await ticketRow(kitchen, orderId)).toEqual(before);
      expect(await eventTypes(orderId)).toEqual(events);
    },
  );

  it("refuses to cancel another customer's order, and changes nothing", async () => {
    const orderId = await placeOrder(kitchen);
    const before = await ticketRow(kitchen, orderId);

    const reply = await requestCancel(
      kitchen,
      cancellation(orderId, { customerId: otherCustomer.id }),
      assertionsAs('order', 'kitchen').assert(otherCustomer),
    );
    expect(reply.status).toBe(403);
    expect(reply.body.error).toMatchObject({ code: 'FORBIDDEN' });
    expect(await ticketRow(kitchen, orderId)).toEqual(before);
  });

  it.each([
    ['the router', () => assertionsAs('router', 'kitchen').assert(customer)],
    ['the payment subgraph', () => assertionsAs('order', 'payment').assert(customer)],
    ['nobody', () => null],
    [
      'a forged signature',
      () => assertionsAs('order', 'kitchen', generateServiceKeyPair().privateKey).assert(customer),
    ],
  ])('refuses a cancel asserted by %s with 401, and changes nothing', async (_, assertion) => {
    const orderId = await placeOrder(kitchen);
    const before = await ticketRow(kitchen, orderId);
    const early = randomUUID();

    for (const id of [orderId, early]) {
      const reply = await requestCancel(kitchen, cancellation(id), assertion());
      expect(reply.status).toBe(401);
      expect(reply.body.error).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    expect(await ticketRow(kitchen, orderId)).toEqual(before);
    expect(await kitchen.db.earlyCancellation.count({ where: { orderId: early } })).toBe(0);
  });

  it.each([
    ['orderId', { orderId: 'order-1' }],
    ['customerId', { customerId: undefined }],
    ['storeId', { storeId: '' }],
    ['reason', { reason: 'x'.repeat(501) }],
  ])(
    'refuses a bad %s with 400 BAD_USER_INPUT naming it, and changes nothing',
    async (field, change) => {
      const orderId = await placeOrder(kitchen);
      const before = await ticketRow(kitchen, orderId);

      const reply = await requestCancel(kitchen, { ...cancellation(orderId), ...change });
      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(await ticketRow(kitchen, orderId)).toEqual(before);
    },
  );
});

describe('a cancel that reaches the kitchen before the order', () => {
  it('is answered as won, and the late order arrives canceled, never pending', async () => {
    const orderId = randomUUID();
    const reply = await requestCancel(kitchen, cancellation(orderId));
    expect(reply).toEqual({ status: 200, body: { status: 'CANCELED' } });
    expect(await kitchen.db.kitchenTicket.count({ where: { orderId } })).toBe(0);

    // Asking again (the first answer got lost) is answered the same.
    expect(await requestCancel(kitchen, cancellation(orderId))).toEqual(reply);

    const placed = orderPlacedEvent(orderId);
    await publish(kitchen, placed);
    await applied(kitchen, placed);
    expect(await ticketRow(kitchen, orderId)).toMatchObject({
      status: 'CANCELED',
      reason: 'Ordered by mistake.',
      closedAt: expect.any(Date),
    });
    // The store never saw it: nothing announces it as received; the cancel is announced once.
    expect(await announced(kitchen, orderId)).toEqual([
      expect.objectContaining({
        type: 'kitchen.order.canceled',
        actor: customer,
        payload: { orderId, storeId: 'store-gangnam-chicken', reason: 'Ordered by mistake.' },
      }),
    ]);
    expect(await kitchen.db.earlyCancellation.count({ where: { orderId } })).toBe(0);
  });

  it('is kept against the late order even when the order arrives twice', async () => {
    const orderId = randomUUID();
    await requestCancel(kitchen, cancellation(orderId));
    for (const placed of [orderPlacedEvent(orderId), orderPlacedEvent(orderId)]) {
      await publish(kitchen, placed);
      await applied(kitchen, placed);
    }
    expect((await ticketRow(kitchen, orderId)).status).toBe('CANCELED');
    expect(await eventTypes(orderId)).toEqual(['kitchen.order.canceled']);
    expect(
      (await act(kitchen, 'acceptOrder', owner, orderId)).errors?.[0]?.extensions,
    ).toMatchObject({ code: 'INVALID_TRANSITION', currentStatus: 'CANCELED' });
  });

  it("refuses another customer's early cancel, and changes nothing", async () => {
    const orderId = randomUUID();
    await requestCancel(kitchen, cancellation(orderId));
    const reply = await requestCancel(
      kitchen,
      cancellation(orderId, { customerId: otherCustomer.id, reason: 'Mine now.' }),
    );
    expect(reply.status).toBe(403);
    expect(
      await kitchen.db.earlyCancellation.findUniqueOrThrow({ where: { orderId } }),
    ).toMatchObject({ customerId: customer.id, reason: 'Ordered by mistake.' });
  });
});

describe('an order that ends without being delivered (order.canceled)', () => {
  it('closes a ticket being cooked and takes its portions off the popular menu', async () => {
    const before = await cookedCount(kitchen);
    const orderId = await orderIn(kitchen, 'COOKING');
    expect(await cookedCount(kitchen)).toBe(before + 2);

    await publish(kitchen, orderCanceledEvent(orderId, { reason: 'The food was damaged.' }));
    await eventually(async () =>
      expect(await ticketRow(kitchen, orderId)).toMatchObject({
        status: 'CANCELED',
        reason: 'The food was damaged.',
        closedAt: expect.any(Date),
      }),
    );
    expect(await cookedCount(kitchen)).toBe(before);
    expect((await announced(kitchen, orderId)).at(-1)).toMatchObject({
      type: 'kitchen.order.canceled',
      actor: rider,
      payload: { orderId, reason: 'The food was damaged.' },
    });
  });

  it('closes a pending ticket without touching the popular menu', async () => {
    const orderId = await placeOrder(kitchen);
    const before = await cookedCount(kitchen);
    const canceled = orderCanceledEvent(orderId, { reason: null, actor: customer });
    await publish(kitchen, canceled);
    await applied(kitchen, canceled);
    expect(await ticketRow(kitchen, orderId)).toMatchObject({ status: 'CANCELED', reason: null });
    expect(await cookedCount(kitchen)).toBe(before);
  });

  it.each(['REJECTED', 'CANCELED', 'DELIVERED'] as const)(
    'leaves a %s ticket as it is',
    async (status) => {
      const orderId = await orderIn(kitchen, status);
      const before = await ticketRow(kitchen, orderId);
      const events = await eventTypes(orderId);
      const counted = await cookedCount(kitchen);

      const canceled = orderCanceledEvent(orderId, {
        status: status === 'REJECTED' ? 'REJECTED' : 'CANCELED',
      });
      await publish(kitchen, canceled);
      await applied(kitchen, canceled);
      expect(await ticketRow(kitchen, orderId)).toEqual(before);
      expect(await eventTypes(orderId)).toEqual(events);
      expect(await cookedCount(kitchen)).toBe(counted);
    },
  );

  it('that overtook its order makes the late order arrive canceled', async () => {
    const orderId = randomUUID();
    const canceled = orderCanceledEvent(orderId, { reason: 'Not paid in time.' });
    await publish(kitchen, canceled);
    await applied(kitchen, canceled);

    const placed = orderPlacedEvent(orderId);
    await publish(kitchen, placed);
    await applied(kitchen, placed);
    expect(await ticketRow(kitchen, orderId)).toMatchObject({
      status: 'CANCELED',
      reason: 'Not paid in time.',
    });
    expect(await eventTypes(orderId)).toEqual(['kitchen.order.canceled']);
  });
});

describe('a delivered order (order.delivered)', () => {
  it('closes a ready ticket as delivered, and changes nothing when told again', async () => {
    const orderId = await orderIn(kitchen, 'READY');
    const events = await eventTypes(orderId);

    await publish(kitchen, orderDeliveredEvent(orderId));
    await eventually(async () =>
      expect(await ticketRow(kitchen, orderId)).toMatchObject({
        status: 'DELIVERED',
        closedAt: expect.any(Date),
      }),
    );
    const delivered = await ticketRow(kitchen, orderId);

    const again = orderDeliveredEvent(orderId);
    await publish(kitchen, again);
    await applied(kitchen, again);
    expect(await ticketRow(kitchen, orderId)).toMatchObject({
      status: 'DELIVERED',
      closedAt: delivered.closedAt,
    });
    expect(await eventTypes(orderId)).toEqual(events);
  });
});

describe('a cancel racing with "cooking started"', () => {
  it('has exactly one winner in each of 50 pairs, and only cooked orders count as popular', async () => {
    const orderIds = await Promise.all(Array.from({ length: 50 }, () => placeOrder(kitchen)));
    for (const orderId of orderIds) await act(kitchen, 'acceptOrder', owner, orderId);
    const before = await cookedCount(kitchen);
    // Signed beforehand, like the owner's (cached since the accepts): signing fifty at once
    // would hold every cancel back behind the cooks.
    const asCustomer = await orderAssertion(customer);

    const pairs = await Promise.all(
      orderIds.map(async (orderId, index) => {
        const sendCancel = () => requestCancel(kitchen, cancellation(orderId), asCustomer);
        const sendCook = () => act(kitchen, 'startCooking', owner, orderId);
        // Both are under way before either answers; half the pairs send the cancel first.
        let cancel: ReturnType<typeof sendCancel>;
        let cook: ReturnType<typeof sendCook>;
        if (index % 2 === 0) {
          cancel = sendCancel();
          cook = sendCook();
        } else {
          cook = sendCook();
          cancel = sendCancel();
        }
        return { orderId, cancel: await cancel, cook: await cook };
      }),
    );

    let cooked = 0;
    for (const { orderId, cancel, cook } of pairs) {
      const status = (await ticketRow(kitchen, orderId)).status;
      const types = await eventTypes(orderId);
      if (status === 'COOKING') {
        cooked += 1;
        expect(cook.data?.startCooking?.ticket.status).toBe('COOKING');
        expect(cancel.status).toBe(409);
        expect(cancel.body.error).toMatchObject({
          code: 'INVALID_TRANSITION',
          currentStatus: 'COOKING',
        });
        expect(types).toContain('kitchen.cooking.started');
        expect(types).not.toContain('kitchen.order.canceled');
      } else {
        expect(status).toBe('CANCELED');
        expect(cancel).toEqual({ status: 200, body: { status: 'CANCELED' } });
        expect(cook.errors?.[0]?.extensions).toMatchObject({
          code: 'INVALID_TRANSITION',
          currentStatus: 'CANCELED',
        });
        expect(types).toContain('kitchen.order.canceled');
        expect(types).not.toContain('kitchen.cooking.started');
      }
    }
    expect(await cookedCount(kitchen)).toBe(before + 2 * cooked);
  });
});
