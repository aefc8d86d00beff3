import { randomUUID } from 'node:crypto';
import {
  cookingStarted,
  orderAccepted,
  orderPickedUp,
  orderReadyForPickup,
  paymentCaptured,
  riderAssigned,
  storeMenuPublished,
} from '@baedal/contracts';
import type { Actor } from '@baedal/domain';
import { eventStream, Outbox, publishEvent } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import {
  connectDatabase as connectPaymentDatabase,
  loadPaymentConfig,
  start as startPayment,
} from '@baedal/payment';
import { createLogger } from '@baedal/service-kit';
import {
  errorCodes,
  eventually,
  type SubgraphUnderTest,
  startSubgraphForTest,
} from '@baedal/service-kit/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrderConfig } from './config.js';
import { connectDatabase, type Db } from './db.js';
import { OrderRepository } from './orders/order.repository.js';
import { PlaceOrder } from './orders/place-order.command.js';
import { type PaymentClient, PaymentUnavailableError } from './payments/payment.client.js';
import { start } from './server.js';

const customer = { id: 'customer-1', role: 'CUSTOMER' } as const;
const otherCustomer = { id: 'customer-2', role: 'CUSTOMER' } as const;
const owner = { id: 'owner-1', role: 'STORE_OWNER' } as const;
const otherOwner = { id: 'owner-2', role: 'STORE_OWNER' } as const;
const rider = { id: 'rider-1', role: 'RIDER' } as const;
const storeId = 'store-test';

let payment: SubgraphUnderTest<unknown>;
let order: SubgraphUnderTest<Db>;
let db: Db;
let redis: Redis;
let prefix: string;
let call: SubgraphUnderTest<Db>['call'];

beforeAll(async () => {
  payment = await startSubgraphForTest(
    'payment',
    (env) => startPayment(loadPaymentConfig(env)),
    connectPaymentDatabase,
  );
  order = await startSubgraphForTest(
    'order',
    (env) => start(loadOrderConfig({ ...env, PAYMENT_URL: new URL('/', payment.url).toString() })),
    connectDatabase,
    { prefix: payment.prefix },
  );
  ({ db, redis, prefix, call } = order);
  await publishMenu(1, 19000);
});

afterAll(async () => {
  await order?.[Symbol.asyncDispose]();
  await payment?.[Symbol.asyncDispose]();
});

/** The kitchen's event of the test store's menu, at `menuVersion`, with this chicken price. */
const menuEvent = (menuVersion: number, chickenPriceWon: number) =>
  storeMenuPublished.create(
    {
      storeId,
      ownerId: owner.id,
      name: 'Test Chicken',
      address: 'Seoul',
      location: { lat: 37.4979, lng: 127.0276 },
      deliveryFeeWon: 3000,
      menuVersion,
      items: [
        {
          id: 'chicken',
          name: 'Fried chicken',
          description: '',
          priceWon: chickenPriceWon,
          available: true,
        },
        { id: 'cola', name: 'Cola', description: '', priceWon: 2500, available: true },
      ],
    },
    { actor: owner },
  );

/** Plays the kitchen: publishes the test store's menu, at `version`, with this chicken price. */
async function publishMenu(menuVersion: number, chickenPriceWon: number) {
  await publishEvent(redis, prefix, menuEvent(menuVersion, chickenPriceWon));
  await eventually(async () => {
    const store = await db.storeReplica.findUnique({ where: { id: storeId } });
    expect(store?.menuVersion).toBeGreaterThanOrEqual(menuVersion);
  });
}

interface PlacedOrder {
  id: string;
  status: string;
  subtotalWon: number;
  deliveryFeeWon: number;
  totalWon: number;
  items: { name: string; unitPriceWon: number; quantity: number; totalWon: number }[];
  timeline: { seq: number; status: string; actor: { role: string; id: string | null } }[];
}

const orderFields =
  'id status subtotalWon deliveryFeeWon totalWon items { name unitPriceWon quantity totalWon } timeline { seq status actor { role id } }';

function placeOrder(viewer: Viewer | null = customer, overrides: Record<string, unknown> = {}) {
  return call<{ placeOrder: { order: PlacedOrder } }>(
    viewer,
    `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { ${orderFields} } } }`,
    {
      input: {
        storeId,
        items: [
          { menuItemId: 'chicken', quantity: 2 },
          { menuItemId: 'cola', quantity: 1 },
        ],
        deliveryAddress: { address: '152 Teheran-ro', location: { lat: 37.5006, lng: 127.0364 } },
        payment: { cardToken: 'tok_visa' },
        ...overrides,
      },
    },
  );
}

const readOrder = (viewer: Viewer | null, id: string) =>
  call<{ order: PlacedOrder | null }>(
    viewer,
    `query($id: ID!) { order(id: $id) { ${orderFields} } }`,
    { id },
  );

const orderEvents = async (orderId: string) =>
  (await redis.xrange(eventStream(prefix, 'order'), '-', '+'))
    .map(([, fields]) => JSON.parse(fields[3]!))
    .filter((event) => event.correlationId === orderId);

/** Plays another subgraph: `definition` happened to the order. */
async function happened(
  definition: { create(payload: never, context: { actor: Actor }): unknown },
  payload: object,
  actor: Actor,
) {
  await publishEvent(redis, prefix, definition.create(payload as never, { actor }) as never);
}

async function expectStatus(orderId: string, status: string) {
  await eventually(async () =>
    expect((await readOrder(customer, orderId)).data?.order?.status).toBe(status),
  );
}

describe('placing an order', () => {
  it('prices it from the menu replica, charges it and sends it to the store', async () => {
    const response = await placeOrder();
    expect(response.errors).toBeUndefined();
    const order = response.data!.placeOrder.order;
    expect(order).toMatchObject({
      status: 'PLACED',
      subtotalWon: 2 * 19000 + 2500,
      deliveryFeeWon: 3000,
      totalWon: 2 * 19000 + 2500 + 3000,
    });
    expect(order.items[0]).toEqual({
      name: 'Fried chicken',
      unitPriceWon: 19000,
      quantity: 2,
      totalWon: 38000,
    });
    expect(order.timeline.map((entry) => [entry.seq, entry.status])).toEqual([
      [1, 'PAYMENT_PENDING'],
      [2, 'PLACED'],
    ]);
    await eventually(async () => {
      const placed = (await orderEvents(order.id)).filter((event) => event.type === 'order.placed');
      expect(placed).toHaveLength(1);
      expect(placed[0].payload).toMatchObject({ totalWon: order.totalWon, storeId });
    });
  });

  it('prices new orders with a newer menu and ignores an older one', async () => {
    await publishMenu(5, 21000);
    const newer = (await placeOrder()).data!.placeOrder.order;
    expect(newer.items[0]!.unitPriceWon).toBe(21000);

    const stale = menuEvent(4, 1);
    await publishEvent(redis, prefix, stale);
    // Applied (and ignored), not merely not yet read: its id is recorded as processed.
    await eventually(async () =>
      expect(await db.processedEvent.count({ where: { eventId: stale.id } })).toBe(1),
    );
    expect((await placeOrder()).data!.placeOrder.order.items[0]!.unitPriceWon).toBe(21000);
  });

  it('keeps a declined order away from the store, waiting for payment', async () => {
    const response = await placeOrder(customer, { payment: { cardToken: 'tok_declined' } });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_DECLINED' });
    const orderId = response.errors![0]!.extensions!.orderId as string;
    expect((await readOrder(customer, orderId)).data?.order?.status).toBe('PAYMENT_PENDING');
    // Once the relay has published everything committed, the stream holds all there will be.
    await eventually(async () =>
      expect(await db.outboxEvent.count({ where: { publishedAt: null } })).toBe(0),
    );
    const types = (await orderEvents(orderId)).map((event) => event.type);
    expect(types).toContain('order.status-changed');
    expect(types).not.toContain('order.placed');
  });

  it("completes an unpaid order when the payment's own event says it was captured", async () => {
    const response = await placeOrder(customer, { payment: { cardToken: 'tok_declined' } });
    const orderId = response.errors![0]!.extensions!.orderId as string;
    await happened(
      paymentCaptured,
      { paymentId: randomUUID(), orderId, customerId: customer.id, amountWon: 43500 },
      customer,
    );
    await expectStatus(orderId, 'PLACED');
  });

  it('refuses to save an order over a newer version of it, so it is paid for once', async () => {
    const response = await placeOrder(customer, { payment: { cardToken: 'tok_declined' } });
    const orderId = response.errors![0]!.extensions!.orderId as string;
    const outbox = new Outbox(db, {
      redis,
      stream: eventStream(prefix, 'order'),
      logger: createLogger('test', { level: 'silent', format: 'json' }),
    });
    const orders = new OrderRepository(outbox);
    const stale = (await orders.find(db, orderId))!;
    const fresh = (await orders.find(db, orderId))!;
    fresh.markPaid(customer, new Date());
    await outbox.transaction((tx) => orders.save(tx, fresh));

    stale.markPaid(customer, new Date());
    await expect(outbox.transaction((tx) => orders.save(tx, stale))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const timeline = await db.orderTimelineEntry.findMany({ where: { orderId } });
    expect(timeline.map((entry) => entry.status)).toEqual(['PAYMENT_PENDING', 'PLACED']);
  });

  it.each([
    [{ storeId: 'no-such-store' }, 'input.storeId'],
    [{ items: [{ menuItemId: 'chicken', quantity: 0 }] }, 'input.items[0].quantity'],
    [{ items: [{ menuItemId: 'sushi', quantity: 1 }] }, 'input.items[0].menuItemId'],
    [{ items: [] }, 'input.items'],
    [
      { deliveryAddress: { address: 'Home', location: { lat: 100, lng: 0 } } },
      'input.deliveryAddress.location.lat',
    ],
    [{ payment: { cardToken: '' } }, 'input.payment.cardToken'],
    // Ids and text no store or address can have, which PostgreSQL would refuse outright.
    [{ storeId: `${storeId}\u0000` }, 'input.storeId'],
    [{ storeId: 'x'.repeat(101) }, 'input.storeId'],
    [{ items: [{ menuItemId: 'chicken\u0000', quantity: 1 }] }, 'input.items[0].menuItemId'],
    [
      { deliveryAddress: { address: '152 Teheran-ro\u0000', location: { lat: 37.5, lng: 127 } } },
      'input.deliveryAddress.address',
    ],
    [{ payment: { cardToken: 'tok_\u0000visa' } }, 'input.payment.cardToken'],
  ])('refuses %j naming %s, and creates nothing', async (overrides, field) => {
    const before = await db.order.count();
    const response = await placeOrder(customer, overrides);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await db.order.count()).toBe(before);
  });

  it('lets only customers place orders', async () => {
    expect(errorCodes(await placeOrder(owner))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await placeOrder(null))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses an administrator placing an order, even under a customer id, and creates nothing', async () => {
    const before = await db.order.count();
    const admin = { id: customer.id, role: 'ADMIN' } as const;
    expect(errorCodes(await placeOrder(admin))).toEqual(['FORBIDDEN']);
    expect(await db.order.count()).toBe(before);
  });

  it('answers PAYMENT_UNAVAILABLE only when the outcome is unknown; a refused charge is a bug', async () => {
    const outbox = new Outbox(db, {
      redis,
      stream: eventStream(prefix, 'unused'),
      logger: createLogger('test', { level: 'silent', format: 'json' }),
    });
    const placeWith = (failure: Error) =>
      new PlaceOrder(
        db,
        outbox,
        new OrderRepository(outbox),
        { charge: () => Promise.reject(failure) } as unknown as PaymentClient,
        createLogger('test', { level: 'silent', format: 'json' }),
      ).execute(customer, {
        storeId,
        items: [{ menuItemId: 'cola', quantity: 1 }],
        deliveryAddress: { address: 'Home', location: { lat: 37.5, lng: 127 } },
        payment: { cardToken: 'tok_visa' },
      });

    await expect(placeWith(new PaymentUnavailableError('timed out'))).rejects.toMatchObject({
      code: 'PAYMENT_UNAVAILABLE',
      details: { orderId: expect.any(String) },
    });
    // Not a DomainError: the GraphQL edge logs it and answers INTERNAL_SERVER_ERROR, masked.
    const bug = new Error('The payment subgraph refused the charge (400)');
    await expect(placeWith(bug)).rejects.toBe(bug);
  });
});

describe('following an order', () => {
  it('follows the kitchen and the rider to the door, and completes when the customer confirms', async () => {
    const order = (await placeOrder()).data!.placeOrder.order;
    const change = { orderId: order.id, storeId };
    await happened(orderAccepted, change, owner);
    await expectStatus(order.id, 'ACCEPTED');
    await happened(cookingStarted, change, owner);
    await expectStatus(order.id, 'COOKING');
    await happened(
      orderReadyForPickup,
      {
        ...change,
        storeOwnerId: owner.id,
        customerId: customer.id,
        pickup: {
          name: 'Test Chicken',
          address: 'Seoul',
          location: { lat: 37.4979, lng: 127.0276 },
        },
        dropoff: { address: '152 Teheran-ro', location: { lat: 37.5006, lng: 127.0364 } },
        express: false,
        deliveryFeeWon: 3000,
        expressFeeWon: 0,
      },
      owner,
    );
    await expectStatus(order.id, 'READY_FOR_PICKUP');

    const confirm = (viewer: Viewer) =>
      call<{ confirmDelivery: { order: { status: string } } }>(
        viewer,
        'mutation($orderId: ID!) { confirmDelivery(input: { orderId: $orderId }) { order { status } } }',
        { orderId: order.id },
      );
    expect((await confirm(customer)).errors?.[0]?.extensions).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentStatus: 'READY_FOR_PICKUP',
    });

    const step = { deliveryId: randomUUID(), orderId: order.id, riderId: rider.id };
    await happened(riderAssigned, step, rider);
    await expectStatus(order.id, 'RIDER_ASSIGNED');
    expect((await readOrder(rider, order.id)).data?.order?.status).toBe('RIDER_ASSIGNED');
    await happened(orderPickedUp, step, rider);
    await expectStatus(order.id, 'PICKED_UP');

    expect(errorCodes(await confirm(otherCustomer))).toEqual(['FORBIDDEN']);
    expect((await confirm(customer)).data?.confirmDelivery.order.status).toBe('DELIVERED');

    const timeline = (await readOrder(customer, order.id)).data!.order!.timeline;
    expect(timeline.map((entry) => [entry.status, entry.actor.role])).toEqual([
      ['PAYMENT_PENDING', 'CUSTOMER'],
      ['PLACED', 'CUSTOMER'],
      ['ACCEPTED', 'STORE_OWNER'],
      ['COOKING', 'STORE_OWNER'],
      ['READY_FOR_PICKUP', 'STORE_OWNER'],
      ['RIDER_ASSIGNED', 'RIDER'],
      ['PICKED_UP', 'RIDER'],
      ['DELIVERED', 'CUSTOMER'],
    ]);
    await eventually(async () => {
      const events = await orderEvents(order.id);
      expect(events.filter((event) => event.type === 'order.delivered')).toHaveLength(1);
      expect(
        events.filter((event) => event.type === 'order.status-changed').map((e) => e.payload.seq),
      ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    });
  });

  it('shows an order to its customer and its store owner, and nobody else', async () => {
    const order = (await placeOrder()).data!.placeOrder.order;
    expect((await readOrder(owner, order.id)).data?.order?.id).toBe(order.id);
    expect(errorCodes(await readOrder(otherCustomer, order.id))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await readOrder(otherOwner, order.id))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await readOrder(rider, order.id))).toEqual(['FORBIDDEN']);
    for (const unknown of [randomUUID(), 'not-a-uuid']) {
      const response = await readOrder(customer, unknown);
      expect(response.errors).toBeUndefined();
      expect(response.data?.order).toBeNull();
    }
  });

  it("lists the customer's own orders, newest first, page by page", async () => {
    const placed = [];
    for (let i = 0; i < 3; i++)
      placed.push((await placeOrder(otherCustomer)).data!.placeOrder.order.id);
    const page = (after?: string) =>
      call<{
        myOrders: {
          edges: { cursor: string; node: { id: string } }[];
          pageInfo: { hasNextPage: boolean };
        };
      }>(
        otherCustomer,
        'query($after: String) { myOrders(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage } } }',
        { after },
      );
    const first = (await page()).data!.myOrders;
    const second = (await page(first.edges.at(-1)!.cursor)).data!.myOrders;
    expect([...first.edges, ...second.edges].map((edge) => edge.node.id)).toEqual(placed.reverse());
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(
      (await call(otherCustomer, '{ myOrders(after: "garbage") { edges { cursor } } }')).errors?.[0]
        ?.extensions,
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
  });
});
