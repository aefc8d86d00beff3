import { randomUUID } from 'node:crypto';
import {
  accidentReported,
  cookingStarted,
  orderAccepted,
  orderPickedUp,
  orderReadyForPickup,
  orderRejected,
  paymentCaptured,
  riderAssigned,
  storeMenuPublished,
  storeMenuPublishedV1,
  ticketCanceled,
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
import { start } from './server.js';

const customer = { id: 'customer-1', role: 'CUSTOMER' } as const;
const otherCustomer = { id: 'customer-2', role: 'CUSTOMER' } as const;
const owner = { id: 'owner-1', role: 'STORE_OWNER' } as const;
const otherOwner = { id: 'owner-2', role: 'STORE_OWNER' } as const;
const rider = { id: 'rider-1', role: 'RIDER' } as const;
const storeId = 'store-test';

let payment: SubgraphUnderTest<unknown>;
let order: SubgraphUnderTest<Db>;
/** An order subgraph whose payment and kitchen cannot be reached, and whose orders expire fast. */
let cutOff: SubgraphUnderTest<Db>;
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
    (env) =>
      start(
        loadOrderConfig({
          ...env,
          PAYMENT_URL: new URL('/', payment.url).toString(),
          // Nothing listens there: a paid order's cancel cannot reach the kitchen.
          KITCHEN_URL: 'http://127.0.0.1:1',
          // Payment is not under test for slowness here: a busy runner must not make a
          // charge look unanswered.
          PAYMENT_TIMEOUT_MS: '30000',
          DELIVERY_FEE_WON: '3000',
          EXPRESS_FEE_WON: '2000',
        }),
      ),
    connectDatabase,
    { prefix: payment.prefix },
  );
  ({ db, redis, prefix, call } = order);
  await publishMenu(1, 19000);
  cutOff = await startSubgraphForTest(
    'order',
    (env) =>
      start(
        loadOrderConfig({
          ...env,
          PAYMENT_URL: 'http://127.0.0.1:1',
          KITCHEN_URL: 'http://127.0.0.1:1',
          CIRCUIT_BREAKER_MIN_REQUESTS: '2',
          UNPAID_ORDER_TTL_MS: '2000',
          UNPAID_ORDER_SWEEP_MS: '200',
        }),
      ),
    connectDatabase,
  );
  await publishEvent(cutOff.redis, cutOff.prefix, menuEvent(1, 19000));
  await eventually(async () =>
    expect(await cutOff.db.storeReplica.count({ where: { id: storeId } })).toBe(1),
  );
});

afterAll(async () => {
  await cutOff?.[Symbol.asyncDispose]();
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
  express: boolean;
  subtotalWon: number;
  deliveryFeeWon: number;
  expressFeeWon: number;
  totalWon: number;
  payBy: string | null;
  items: { name: string; unitPriceWon: number; quantity: number; totalWon: number }[];
  timeline: { seq: number; status: string; actor: { role: string; id: string | null } }[];
}

const orderFields =
  'id status express subtotalWon deliveryFeeWon expressFeeWon totalWon payBy items { name unitPriceWon quantity totalWon } timeline { seq status reason actor { role id } }';

function placeOrder(
  viewer: Viewer | null = customer,
  overrides: Record<string, unknown> = {},
  subgraph: () => SubgraphUnderTest<Db> = () => order,
) {
  return subgraph().call<{ placeOrder: { order: PlacedOrder; message: string | null } }>(
    viewer,
    `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { message order { ${orderFields} } } }`,
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

const readOrder = (viewer: Viewer | null, id: string, subgraph = order) =>
  subgraph.call<{ order: PlacedOrder | null }>(
    viewer,
    `query($id: ID!) { order(id: $id) { ${orderFields} } }`,
    { id },
  );

const orderEvents = async (orderId: string, subgraph = order) =>
  (await subgraph.redis.xrange(eventStream(subgraph.prefix, 'order'), '-', '+'))
    .map(([, fields]) => JSON.parse(fields[3]!))
    .filter((event) => event.correlationId === orderId);

/** Waits until the order subgraph has published everything it committed. */
const allPublished = (subgraph = order) =>
  eventually(async () =>
    expect(await subgraph.db.outboxEvent.count({ where: { publishedAt: null } })).toBe(0),
  );

/** A customer's mutation on an order (`payOrder`, `cancelOrder` ...), with more input. */
const orderMutation = (
  mutation: 'payOrder' | 'cancelOrder' | 'confirmDelivery',
  viewer: Viewer | null,
  input: Record<string, unknown>,
  subgraph = order,
) =>
  subgraph.call<Record<string, { order: { status: string } }>>(
    viewer,
    `mutation($input: ${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { order { status } } }`,
    { input },
  );

/** An order whose card was declined: it waits for payment. */
async function unpaidOrder(subgraph = order): Promise<string> {
  const response = await placeOrder(
    customer,
    { payment: { cardToken: 'tok_declined' } },
    () => subgraph,
  );
  if (subgraph === order) {
    expect(errorCodes(response)).toEqual(['PAYMENT_DECLINED']);
    return response.errors![0]!.extensions!.orderId as string;
  }
  return response.data!.placeOrder.order.id;
}

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
      express: false,
      subtotalWon: 2 * 19000 + 2500,
      deliveryFeeWon: 3000,
      expressFeeWon: 0,
      totalWon: 2 * 19000 + 2500 + 3000,
      payBy: null,
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

  it("reads a menu snapshot of version 1, which carried the store's own fee, and prices with the configured one", async () => {
    await publishEvent(
      redis,
      prefix,
      storeMenuPublishedV1.create(
        { ...menuEvent(6, 22000).payload, deliveryFeeWon: 9999 },
        { actor: owner },
      ),
    );
    await eventually(async () =>
      expect((await db.storeReplica.findUnique({ where: { id: storeId } }))?.menuVersion).toBe(6),
    );
    const priced = (await placeOrder()).data!.placeOrder.order;
    expect(priced).toMatchObject({ deliveryFeeWon: 3000 });
    expect(priced.items[0]!.unitPriceWon).toBe(22000);
  });

  it('adds the configured express surcharge to an express order and to its order.placed event', async () => {
    const response = await placeOrder(customer, { express: true });
    const placed = response.data!.placeOrder.order;
    expect(placed).toMatchObject({
      express: true,
      deliveryFeeWon: 3000,
      expressFeeWon: 2000,
      totalWon: placed.subtotalWon + 5000,
    });
    await eventually(async () => {
      const [event] = (await orderEvents(placed.id)).filter((e) => e.type === 'order.placed');
      expect(event?.payload).toMatchObject({ express: true, expressFeeWon: 2000 });
    });
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

  it('answers the order waiting for payment, with a message, when payment cannot be reached', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await placeOrder(customer, {}, () => cutOff);
      expect(response.errors).toBeUndefined();
      const { order: waiting, message } = response.data!.placeOrder;
      expect(waiting.status).toBe('PAYMENT_PENDING');
      expect(Date.parse(waiting.payBy!)).toBeGreaterThan(Date.now() - 60_000);
      expect(message).toMatch(/payOrder/);
    }
    const stuck = (await placeOrder(customer, {}, () => cutOff)).data!.placeOrder.order.id;
    expect(
      errorCodes(
        await orderMutation(
          'payOrder',
          customer,
          { orderId: stuck, payment: { cardToken: 'tok_visa' } },
          cutOff,
        ),
      ),
    ).toEqual(['PAYMENT_UNAVAILABLE']);
  });
});

describe('idempotent ordering', () => {
  const withKey = (idempotencyKey: string, overrides: Record<string, unknown> = {}) =>
    placeOrder(customer, { idempotencyKey, ...overrides });

  it('answers the first order to a repeat with the same key, sent to the store once', async () => {
    const key = randomUUID();
    const first = (await withKey(key)).data!.placeOrder.order;
    const again = await withKey(key, { payment: { cardToken: 'tok_other' } });
    expect(again.errors).toBeUndefined();
    expect(again.data!.placeOrder.order).toMatchObject({ id: first.id, status: 'PLACED' });
    await allPublished();
    expect((await orderEvents(first.id)).filter((e) => e.type === 'order.placed')).toHaveLength(1);
  });

  it('answers one order to ten racing requests with the same key', async () => {
    const key = randomUUID();
    const before = await db.order.count();
    const answers = await Promise.all(Array.from({ length: 10 }, () => withKey(key)));
    expect(answers.flatMap((answer) => answer.errors ?? [])).toEqual([]);
    expect(new Set(answers.map((answer) => answer.data!.placeOrder.order.id)).size).toBe(1);
    expect(await db.order.count()).toBe(before + 1);
  });

  it("replays a declined first request's refusal, and refuses the same key for another request", async () => {
    const key = randomUUID();
    const declined = await withKey(key, { payment: { cardToken: 'tok_declined' } });
    expect(errorCodes(declined)).toEqual(['PAYMENT_DECLINED']);
    expect(errorCodes(await withKey(key, { payment: { cardToken: 'tok_declined' } }))).toEqual([
      'PAYMENT_DECLINED',
    ]);
    const before = await db.order.count();
    const other = await withKey(key, { express: true });
    expect(other.errors?.[0]?.extensions).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      field: 'input.idempotencyKey',
      orderId: declined.errors![0]!.extensions!.orderId,
    });
    expect(await db.order.count()).toBe(before);
    expect((await withKey('x'.repeat(101))).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.idempotencyKey',
    });
  });
});

describe('paying later', () => {
  it('pays an order waiting for payment with another card, and sends it to the store', async () => {
    const orderId = await unpaidOrder();
    const paid = await orderMutation('payOrder', customer, {
      orderId,
      payment: { cardToken: 'tok_visa' },
    });
    expect(paid.data?.payOrder?.order.status).toBe('PLACED');
    await eventually(async () =>
      expect((await orderEvents(orderId)).map((e) => e.type)).toContain('order.placed'),
    );
  });

  it('refuses to pay an order that is paid, not yours, or unknown, changing nothing', async () => {
    const paidOrder = (await placeOrder()).data!.placeOrder.order.id;
    const pay = (viewer: Viewer, orderId: string) =>
      orderMutation('payOrder', viewer, { orderId, payment: { cardToken: 'tok_visa' } });
    expect((await pay(customer, paidOrder)).errors?.[0]?.extensions).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentStatus: 'PLACED',
    });
    const unpaid = await unpaidOrder();
    expect(errorCodes(await pay(otherCustomer, unpaid))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await pay(owner, unpaid))).toEqual(['FORBIDDEN']);
    expect((await pay(customer, randomUUID())).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.orderId',
    });
    expect((await readOrder(customer, unpaid)).data?.order?.status).toBe('PAYMENT_PENDING');
  });

  it('cancels an order not paid in time, as the system, and keeps a capture that comes later', async () => {
    const orderId = (await placeOrder(customer, {}, () => cutOff)).data!.placeOrder.order.id;
    await eventually(async () => {
      const timeline = (await readOrder(customer, orderId, cutOff)).data!.order!.timeline;
      expect(timeline.at(-1)).toMatchObject({
        status: 'CANCELED',
        actor: { role: 'SYSTEM', id: null },
        reason: expect.stringMatching(/^Not paid/),
      });
    });
    await eventually(async () =>
      expect((await orderEvents(orderId, cutOff)).map((e) => e.type)).toContain('order.canceled'),
    );
    await publishEvent(
      cutOff.redis,
      cutOff.prefix,
      paymentCaptured.create(
        { paymentId: randomUUID(), orderId, customerId: customer.id, amountWon: 1 },
        { actor: customer },
      ),
    );
    await eventually(async () => {
      const late = (await readOrder(customer, orderId, cutOff)).data!.order!;
      expect(late.status).toBe('CANCELED');
      expect(late.timeline.at(-1)).toMatchObject({
        status: 'PLACED',
        reason: expect.stringMatching(/refunded/),
      });
    });
    await allPublished(cutOff);
    expect((await orderEvents(orderId, cutOff)).map((e) => e.type)).not.toContain('order.placed');
  });
});

describe('canceling', () => {
  it('cancels an unpaid order here, with the reason, and asks for its refund', async () => {
    const orderId = await unpaidOrder();
    const canceled = await orderMutation('cancelOrder', customer, { orderId, reason: 'Too slow' });
    expect(canceled.data?.cancelOrder?.order.status).toBe('CANCELED');
    const timeline = (await readOrder(customer, orderId)).data!.order!.timeline;
    expect(timeline.at(-1)).toMatchObject({
      status: 'CANCELED',
      reason: 'Too slow',
      actor: customer,
    });
    await eventually(async () => {
      const [event] = (await orderEvents(orderId)).filter((e) => e.type === 'order.canceled');
      expect(event?.payload).toMatchObject({ status: 'CANCELED', reason: 'Too slow' });
    });
  });

  it('refuses to cancel a paid order while the kitchen cannot be asked, changing nothing', async () => {
    const orderId = (await placeOrder()).data!.placeOrder.order.id;
    await allPublished();
    const before = (await orderEvents(orderId)).length;
    const refused = await orderMutation('cancelOrder', customer, { orderId, reason: null });
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'KITCHEN_UNAVAILABLE',
      retryable: true,
      orderId,
    });
    expect((await readOrder(customer, orderId)).data?.order?.status).toBe('PLACED');
    await allPublished();
    expect(await orderEvents(orderId)).toHaveLength(before);
  });

  it("refuses a cancel once cooking started, another customer's, and a reason too long", async () => {
    const orderId = (await placeOrder()).data!.placeOrder.order.id;
    expect(errorCodes(await orderMutation('cancelOrder', otherCustomer, { orderId }))).toEqual([
      'FORBIDDEN',
    ]);
    expect(
      (await orderMutation('cancelOrder', customer, { orderId, reason: 'x'.repeat(501) }))
        .errors?.[0]?.extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    await happened(cookingStarted, { orderId, storeId }, owner);
    await expectStatus(orderId, 'COOKING');
    expect(
      (await orderMutation('cancelOrder', customer, { orderId })).errors?.[0]?.extensions,
    ).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentStatus: 'COOKING',
    });
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

  it("records the kitchen's rejection and cancellation, and a rider's accident, each asking for a refund once", async () => {
    const rejected = (await placeOrder()).data!.placeOrder.order.id;
    const rejection = orderRejected.create(
      { orderId: rejected, storeId, reason: 'Out of chicken' },
      { actor: owner },
    );
    await publishEvent(redis, prefix, rejection);
    await publishEvent(redis, prefix, rejection);
    await expectStatus(rejected, 'REJECTED');

    const canceled = (await placeOrder()).data!.placeOrder.order.id;
    await happened(
      ticketCanceled,
      { orderId: canceled, storeId, reason: 'Changed my mind' },
      customer,
    );
    await expectStatus(canceled, 'CANCELED');

    const crashed = (await placeOrder()).data!.placeOrder.order.id;
    const step = { deliveryId: randomUUID(), orderId: crashed, riderId: rider.id };
    await happened(riderAssigned, step, rider);
    await happened(orderPickedUp, step, rider);
    await happened(accidentReported, { ...step, description: 'Dropped the box' }, rider);
    await expectStatus(crashed, 'CANCELED');
    expect((await readOrder(customer, crashed)).data!.order!.timeline.at(-1)).toMatchObject({
      status: 'CANCELED',
      reason: 'Dropped the box',
      actor: rider,
    });

    await allPublished();
    for (const [orderId, status, reason] of [
      [rejected, 'REJECTED', 'Out of chicken'],
      [canceled, 'CANCELED', 'Changed my mind'],
      [crashed, 'CANCELED', 'Dropped the box'],
    ] as const) {
      const closes = (await orderEvents(orderId)).filter((e) => e.type === 'order.canceled');
      expect(closes.map((e) => e.payload)).toEqual([expect.objectContaining({ status, reason })]);
    }
  });

  it('keeps a step that arrives after the order ended in its timeline, without moving its status', async () => {
    const orderId = (await placeOrder()).data!.placeOrder.order.id;
    const step = { deliveryId: randomUUID(), orderId, riderId: rider.id };
    await happened(riderAssigned, step, rider);
    await happened(orderPickedUp, step, rider);
    await happened(accidentReported, { ...step, description: 'Spilled' }, rider);
    await expectStatus(orderId, 'CANCELED');
    await happened(cookingStarted, { orderId, storeId }, owner);
    await eventually(async () => {
      const late = (await readOrder(customer, orderId)).data!.order!;
      expect(late.status).toBe('CANCELED');
      expect(late.timeline.map((entry) => entry.status)).toContain('COOKING');
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
