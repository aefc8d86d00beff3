import { randomUUID } from 'node:crypto';
import { chargePath, orderCanceled } from '@baedal/contracts';
import { eventStream, publishEvent } from '@baedal/event-bus';
import { generateServiceKeyPair, identityHeader, type Viewer } from '@baedal/identity';
import {
  assertionsAs,
  errorCodes,
  eventually,
  type SubgraphUnderTest,
  startSubgraphForTest,
} from '@baedal/service-kit/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPaymentConfig } from './config.js';
import { connectDatabase, type Db } from './db.js';
import { start } from './server.js';

const customer = { id: 'customer-1', role: 'CUSTOMER' } as const;
const otherCustomer = { id: 'customer-2', role: 'CUSTOMER' } as const;
const admin = { id: 'admin-1', role: 'ADMIN' } as const;
const owner = { id: 'owner-1', role: 'STORE_OWNER' } as const;
const rider = { id: 'rider-1', role: 'RIDER' } as const;

const orderService = assertionsAs('order', 'payment');
const router = assertionsAs('router', 'payment');

let payment: SubgraphUnderTest<Db>;
let db: Db;
let redis: Redis;
let prefix: string;
let call: SubgraphUnderTest<Db>['call'];
let chargesUrl: string;

beforeAll(async () => {
  payment = await startSubgraphForTest(
    'payment',
    (env) => start(loadPaymentConfig(env)),
    connectDatabase,
  );
  ({ db, redis, prefix, call } = payment);
  chargesUrl = payment.url.replace(/\/graphql$/, chargePath);
});

afterAll(() => payment?.[Symbol.asyncDispose]());

interface ChargeReply {
  readonly status: number;
  readonly body: {
    paymentId?: string;
    status?: string;
    declineReason?: string | null;
    error?: { code: string; message: string; field?: string; currentStatus?: string };
  };
}

const newCharge = (change: Record<string, unknown> = {}) => ({
  orderId: randomUUID(),
  customerId: customer.id,
  amountWon: 41_000,
  deliveryFeeWon: 3_000,
  expressFeeWon: 2_000,
  cardToken: 'tok_visa_4242',
  attemptKey: randomUUID(),
  ...change,
});

/**
 * Plays the order subgraph calling the charge endpoint. `assertion` is the identity header
 * (by default the order service's, on behalf of the customer; `null` sends none); a string
 * `body` is sent as it is.
 */
async function postCharge(
  body: unknown,
  assertion: Promise<string> | null = orderService.assert(customer),
): Promise<ChargeReply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (assertion) headers[identityHeader] = await assertion;
  const response = await fetch(chargesUrl, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as ChargeReply['body'] };
}

/** Plays the order subgraph announcing that an order ended without delivery. */
async function publishCancel(
  order: { orderId: string; customerId: string },
  status: 'CANCELED' | 'REJECTED' = 'CANCELED',
) {
  const event = orderCanceled.create(
    { ...order, storeId: 'store-1', status, reason: 'Changed my mind.' },
    { actor: customer },
  );
  await publishEvent(redis, prefix, event);
  return event;
}

/**
 * The events the payment subgraph announced about `orderId`, once its relay has published
 * everything committed so far: what is in the stream then is all there is so far.
 */
async function announcedFor(orderId: string) {
  await eventually(async () =>
    expect(await db.outboxEvent.count({ where: { publishedAt: null } })).toBe(0),
  );
  return (await redis.xrange(eventStream(prefix, 'payment'), '-', '+'))
    .map(([, fields]) => JSON.parse(fields[3]!))
    .filter((event) => event.correlationId === orderId);
}

const paymentRow = (orderId: string) =>
  db.payment.findUniqueOrThrow({
    where: { orderId },
    include: { attempts: { orderBy: { startedAt: 'asc' } } },
  });

/** What the card provider's books hold for the order: its charges and its refund. */
async function booksOf(orderId: string) {
  const row = await db.payment.findUnique({ where: { orderId }, include: { attempts: true } });
  if (!row) return [];
  return db.simulatedCardOperation.findMany({
    where: {
      idempotencyKey: { in: [...row.attempts.map((attempt) => attempt.key), `refund:${row.id}`] },
    },
    orderBy: { createdAt: 'asc' },
  });
}

/**
 * Whether the payment subgraph's consumer group was handed every event of the order stream
 * and acknowledged them all. XINFO answers flat [name, value, name, value ...] lists.
 */
async function ordersConsumed(): Promise<boolean> {
  const [group = []] = (await redis.xinfo('GROUPS', eventStream(prefix, 'order'))) as unknown[][];
  const info = Object.fromEntries(
    Array.from({ length: group.length / 2 }, (_, i) => [group[2 * i], group[2 * i + 1]]),
  );
  return info.pending === 0 && info.lag === 0;
}

const pointsOf = (orderId: string) =>
  db.pointsEntry.findMany({ where: { orderId }, orderBy: { createdAt: 'asc' } });

describe('charging an order', () => {
  it('captures a good card, records the attempt, earns points and announces the capture', async () => {
    const charge = newCharge();
    const reply = await postCharge(charge);

    expect(reply).toEqual({
      status: 200,
      body: {
        paymentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        status: 'CAPTURED',
        declineReason: null,
      },
    });
    expect(await paymentRow(charge.orderId)).toMatchObject({
      id: reply.body.paymentId,
      customerId: customer.id,
      amountWon: 41_000,
      deliveryFeeWon: 3_000,
      expressFeeWon: 2_000,
      status: 'CAPTURED',
      cardLast4: '4242',
      pointsEarned: 410,
      capturedAt: expect.any(Date),
      attempts: [
        expect.objectContaining({
          key: charge.attemptKey,
          cardLast4: '4242',
          amountWon: 41_000,
          status: 'APPROVED',
          settledAt: expect.any(Date),
        }),
      ],
    });
    expect(await booksOf(charge.orderId)).toEqual([
      expect.objectContaining({ kind: 'charge', amountWon: 41_000, approved: true }),
    ]);
    expect(await pointsOf(charge.orderId)).toEqual([
      expect.objectContaining({ customerId: customer.id, kind: 'EARNED', points: 410 }),
    ]);
    expect(await announcedFor(charge.orderId)).toEqual([
      expect.objectContaining({
        type: 'payment.captured',
        producer: 'payment',
        actor: customer,
        payload: {
          paymentId: reply.body.paymentId,
          orderId: charge.orderId,
          customerId: customer.id,
          amountWon: 41_000,
        },
      }),
    ]);
  });

  it('answers a repeated request with the same payment, charging and announcing nothing more', async () => {
    const charge = newCharge();
    const first = await postCharge(charge);
    // Whatever the key and card: a captured order is not charged again.
    const again = await postCharge({ ...charge, cardToken: 'tok_declined' });
    const otherKey = await postCharge({ ...charge, attemptKey: randomUUID() });

    expect(again).toEqual(first);
    expect(otherKey).toEqual(first);
    expect((await paymentRow(charge.orderId)).attempts).toHaveLength(1);
    expect(await booksOf(charge.orderId)).toHaveLength(1);
    expect(await announcedFor(charge.orderId)).toHaveLength(1);
  });

  it.each([
    ['the same key', () => randomUUID()],
    ['different keys', undefined],
  ])('charges the card once when five requests with %s arrive at once', async (_, key) => {
    const charge = newCharge();
    const sharedKey = key?.();
    const replies = await Promise.all(
      Array.from({ length: 5 }, () =>
        postCharge({ ...charge, attemptKey: sharedKey ?? randomUUID() }),
      ),
    );

    const paymentId = replies[0]!.body.paymentId;
    for (const reply of replies) {
      expect(reply).toEqual({
        status: 200,
        body: { paymentId, status: 'CAPTURED', declineReason: null },
      });
    }
    expect(await db.payment.count({ where: { orderId: charge.orderId } })).toBe(1);
    expect((await paymentRow(charge.orderId)).attempts).toHaveLength(1);
    expect(await booksOf(charge.orderId)).toHaveLength(1);
    expect(await pointsOf(charge.orderId)).toHaveLength(1);
    expect(await announcedFor(charge.orderId)).toHaveLength(1);
  });

  it('declines tok_declined with the reason, and announces nothing', async () => {
    const charge = newCharge({ cardToken: 'tok_declined' });
    const reply = await postCharge(charge);

    expect(reply).toEqual({
      status: 200,
      body: {
        paymentId: expect.any(String),
        status: 'DECLINED',
        declineReason: 'The card was declined by its issuer.',
      },
    });
    expect(await paymentRow(charge.orderId)).toMatchObject({
      status: 'DECLINED',
      declineReason: 'The card was declined by its issuer.',
      capturedAt: null,
      pointsEarned: 0,
      attempts: [expect.objectContaining({ status: 'DECLINED' })],
    });
    expect(await pointsOf(charge.orderId)).toEqual([]);
    expect(await announcedFor(charge.orderId)).toEqual([]);
  });

  it('replays a decline for its key, and charges a new key with the new card', async () => {
    const charge = newCharge({ cardToken: 'tok_declined' });
    const declined = await postCharge(charge);
    // A retried placeOrder repeats its key: it learns the decline again, whatever the card.
    const replayed = await postCharge({ ...charge, cardToken: 'tok_visa_4242' });
    const paid = await postCharge({
      ...charge,
      attemptKey: randomUUID(),
      cardToken: 'tok_mastercard_5100',
    });

    expect(replayed).toEqual(declined);
    expect(paid.body).toEqual({
      paymentId: declined.body.paymentId,
      status: 'CAPTURED',
      declineReason: null,
    });
    expect(await paymentRow(charge.orderId)).toMatchObject({
      status: 'CAPTURED',
      cardLast4: '5100',
      declineReason: null,
      attempts: [
        expect.objectContaining({ key: charge.attemptKey, status: 'DECLINED' }),
        expect.objectContaining({ cardLast4: '5100', status: 'APPROVED' }),
      ],
    });
    expect((await booksOf(charge.orderId)).map((operation) => operation.approved)).toEqual([
      false,
      true,
    ]);
    expect(await announcedFor(charge.orderId)).toEqual([
      expect.objectContaining({ type: 'payment.captured' }),
    ]);
  });

  it.each([
    ['another amount', { amountWon: 1, deliveryFeeWon: 0, expressFeeWon: 0 }],
    ['another customer', { customerId: 'customer-2' }],
    ['other fees', { expressFeeWon: 0 }],
  ])('refuses a repeated charge for %s with CONFLICT, and changes nothing', async (_, change) => {
    const charge = newCharge({ cardToken: 'tok_declined' });
    await postCharge(charge);
    const before = await paymentRow(charge.orderId);
    const reply = await postCharge(
      { ...charge, ...change, attemptKey: randomUUID(), cardToken: 'tok_visa' },
      orderService.assert(null),
    );

    expect(reply.status).toBe(409);
    expect(reply.body.error).toMatchObject({ code: 'CONFLICT' });
    expect(await paymentRow(charge.orderId)).toEqual(before);
  });

  it('refuses an attempt key already used for another order with CONFLICT, and changes nothing', async () => {
    const first = newCharge();
    await postCharge(first);
    const second = newCharge({ cardToken: 'tok_declined' });
    await postCharge(second);
    const before = await paymentRow(second.orderId);

    const reply = await postCharge({ ...second, attemptKey: first.attemptKey });

    expect(reply.status).toBe(409);
    expect(reply.body.error).toMatchObject({ code: 'CONFLICT', attemptKey: first.attemptKey });
    expect(await paymentRow(second.orderId)).toEqual(before);
  });

  it("refuses a customer's charge of another customer's order with 403, and changes nothing", async () => {
    const charge = newCharge();
    const reply = await postCharge(charge, orderService.assert(otherCustomer));

    expect(reply.status).toBe(403);
    expect(reply.body.error).toMatchObject({ code: 'FORBIDDEN' });
    expect(await db.payment.count({ where: { orderId: charge.orderId } })).toBe(0);
  });

  it.each([
    ['the router', () => router.assert(customer)],
    ['nobody', () => null],
    [
      'a forged signature',
      () => assertionsAs('order', 'payment', generateServiceKeyPair().privateKey).assert(customer),
    ],
  ])('refuses a charge asserted by %s with 401, and changes nothing', async (_, assertion) => {
    const charge = newCharge();
    const reply = await postCharge(charge, assertion());

    expect(reply.status).toBe(401);
    expect(reply.body.error).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await db.payment.count({ where: { orderId: charge.orderId } })).toBe(0);
  });

  it.each([
    ['orderId', { orderId: 'order-1' }],
    ['customerId', { customerId: undefined }],
    ['amountWon', { amountWon: 0 }],
    ['amountWon', { amountWon: 1.5 }],
    ['amountWon', { amountWon: 100_000_001 }],
    ['amountWon', { amountWon: '41000' }],
    ['deliveryFeeWon', { deliveryFeeWon: -1 }],
    ['deliveryFeeWon', { deliveryFeeWon: 41_001, expressFeeWon: 0 }],
    ['expressFeeWon', { expressFeeWon: 38_001 }],
    ['cardToken', { cardToken: '' }],
    ['cardToken', { cardToken: 't'.repeat(201) }],
    ['attemptKey', { attemptKey: undefined }],
    ['attemptKey', { attemptKey: 'k'.repeat(101) }],
  ])(
    'refuses a bad %s with 400 BAD_USER_INPUT naming it, and changes nothing',
    async (field, change) => {
      const before = await db.payment.count();
      const reply = await postCharge(newCharge(change));

      expect(reply.status).toBe(400);
      expect(reply.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(await db.payment.count()).toBe(before);
    },
  );

  it('refuses a body that is not JSON with 400 BAD_USER_INPUT naming the body', async () => {
    const reply = await postCharge('{ "orderId": ');

    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'body' });
  });

  it('refuses a GraphQL request whose body is not JSON the same way, at /graphql', async () => {
    const response = await fetch(payment.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [identityHeader]: await router.assert(customer),
      },
      body: '{ "query": ',
    });

    expect(response.status).toBe(400);
    expect(((await response.json()) as ChargeReply['body']).error).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'body',
    });
  });
});

describe('an order that ends without delivery (order.canceled)', () => {
  it('records a CANCELED payment for an order not charged yet, and refuses a late charge', async () => {
    const charge = newCharge();
    await publishCancel(charge);
    await eventually(async () =>
      expect(await paymentRow(charge.orderId)).toMatchObject({
        status: 'CANCELED',
        customerId: customer.id,
        orderClosedAt: expect.any(Date),
        cardLast4: null,
        attempts: [],
      }),
    );

    const late = await postCharge(charge);

    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentStatus: 'CANCELED',
    });
    expect((await paymentRow(charge.orderId)).attempts).toEqual([]);
    expect(await booksOf(charge.orderId)).toEqual([]);
  });

  it.each(['CANCELED', 'REJECTED'] as const)(
    'refunds a captured payment of a %s order and takes its points back',
    async (status) => {
      const charge = newCharge();
      const { body } = await postCharge(charge);
      await publishCancel(charge, status);

      await eventually(async () =>
        expect(await paymentRow(charge.orderId)).toMatchObject({
          status: 'REFUNDED',
          orderClosedAt: expect.any(Date),
          refundedAt: expect.any(Date),
          pointsEarned: 410,
        }),
      );
      expect(await booksOf(charge.orderId)).toEqual([
        expect.objectContaining({ kind: 'charge', approved: true }),
        expect.objectContaining({
          idempotencyKey: `refund:${body.paymentId}`,
          kind: 'refund',
          amountWon: 41_000,
        }),
      ]);
      expect((await pointsOf(charge.orderId)).map(({ kind, points }) => [kind, points])).toEqual([
        ['EARNED', 410],
        ['REVERSED', -410],
      ]);
      expect(await announcedFor(charge.orderId)).toEqual([
        expect.objectContaining({ type: 'payment.captured' }),
        expect.objectContaining({
          type: 'payment.refunded',
          actor: { role: 'SYSTEM', id: null },
          payload: {
            paymentId: body.paymentId,
            orderId: charge.orderId,
            customerId: customer.id,
            amountWon: 41_000,
            pointsReversed: 410,
          },
        }),
      ]);

      const late = await postCharge({ ...charge, attemptKey: randomUUID() });
      expect(late.status).toBe(409);
      expect(late.body.error).toMatchObject({
        code: 'INVALID_TRANSITION',
        currentStatus: 'REFUNDED',
      });
    },
  );

  it('cancels a declined payment, and refuses charging it again', async () => {
    const charge = newCharge({ cardToken: 'tok_declined' });
    await postCharge(charge);
    await publishCancel(charge);

    await eventually(async () =>
      expect(await paymentRow(charge.orderId)).toMatchObject({
        status: 'CANCELED',
        orderClosedAt: expect.any(Date),
        declineReason: 'The card was declined by its issuer.',
      }),
    );
    const late = await postCharge({ ...charge, attemptKey: randomUUID(), cardToken: 'tok_visa' });

    expect(late.body.error).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentStatus: 'CANCELED',
    });
    expect(await booksOf(charge.orderId)).toHaveLength(1);
    expect(await announcedFor(charge.orderId)).toEqual([]);
  });

  it('refunds and takes the points back once, however often the cancel arrives', async () => {
    const charge = newCharge();
    await postCharge(charge);
    const event = await publishCancel(charge);
    // The same event delivered again (a relay that crashed after publishing), then a second one.
    await publishEvent(redis, prefix, event);
    await publishCancel(charge);

    await eventually(async () =>
      expect(await paymentRow(charge.orderId)).toMatchObject({ status: 'REFUNDED' }),
    );
    await eventually(async () => expect(await ordersConsumed()).toBe(true));
    expect(await pointsOf(charge.orderId)).toHaveLength(2);
    expect(await booksOf(charge.orderId)).toHaveLength(2);
    expect(
      (await announcedFor(charge.orderId)).filter((e) => e.type === 'payment.refunded'),
    ).toHaveLength(1);
  });
});

describe('Order.payment', () => {
  const paymentOf = (viewer: Viewer | null, orderId: string) =>
    call<{ _entities: { payment: Record<string, unknown> | null }[] }>(
      viewer,
      `query($id: ID!) { _entities(representations: [{ __typename: "Order", id: $id }]) {
        ... on Order { payment { status amountWon deliveryFeeWon expressFeeWon cardLast4
          declineReason pointsEarned capturedAt refundedAt } } } }`,
      { id: orderId },
    );

  it("shows the order's payment to its customer and to an administrator", async () => {
    const charge = newCharge();
    await postCharge(charge);
    const expected = {
      status: 'CAPTURED',
      amountWon: 41_000,
      deliveryFeeWon: 3_000,
      expressFeeWon: 2_000,
      cardLast4: '4242',
      declineReason: null,
      pointsEarned: 410,
      capturedAt: expect.stringMatching(/Z$/),
      refundedAt: null,
    };

    for (const viewer of [customer, admin]) {
      const response = await paymentOf(viewer, charge.orderId);
      expect(response.errors).toBeUndefined();
      expect(response.data?._entities).toEqual([{ payment: expected }]);
    }
  });

  it('hides the payment from another customer, a store owner, a rider and an anonymous viewer', async () => {
    const charge = newCharge();
    await postCharge(charge);

    for (const viewer of [otherCustomer, owner, rider, null]) {
      const response = await paymentOf(viewer, charge.orderId);
      expect(response.errors).toBeUndefined();
      expect(response.data?._entities).toEqual([{ payment: null }]);
    }
  });

  it('shows a canceled payment that was charged, but not one of an order canceled before any charge', async () => {
    const declined = newCharge({ cardToken: 'tok_declined' });
    await postCharge(declined);
    const unpaid = newCharge();
    for (const order of [declined, unpaid]) await publishCancel(order);
    await eventually(async () => {
      for (const order of [declined, unpaid]) {
        expect(await paymentRow(order.orderId)).toMatchObject({ status: 'CANCELED' });
      }
    });

    expect((await paymentOf(customer, declined.orderId)).data?._entities).toEqual([
      { payment: expect.objectContaining({ status: 'CANCELED', cardLast4: 'ined' }) },
    ]);
    expect((await paymentOf(customer, unpaid.orderId)).data?._entities).toEqual([
      { payment: null },
    ]);
  });

  it('is null, not an error, for an order without a payment or an id that is no order id', async () => {
    for (const orderId of [randomUUID(), 'not-an-order-id']) {
      const response = await paymentOf(customer, orderId);
      expect(response.errors).toBeUndefined();
      expect(response.data?._entities).toEqual([{ payment: null }]);
    }
  });
});

describe('myPoints', () => {
  interface PointsPage {
    myPoints: {
      balance: number;
      history: {
        edges: { cursor: string; node: { id: string; kind: string; points: number } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
  }
  const myPoints = (viewer: Viewer | null | 'no-assertion', args: Record<string, unknown> = {}) =>
    call<PointsPage>(
      viewer,
      `query($first: Int, $after: String) { myPoints { balance history(first: $first, after: $after) {
        edges { cursor node { id kind points at order { id } } } pageInfo { hasNextPage endCursor } } } }`,
      args,
    );

  it('gives the balance and the history, newest first, a page at a time', async () => {
    const shopper = { id: `customer-${randomUUID()}`, role: 'CUSTOMER' } as const;
    const charges = [10_000, 20_000, 30_000].map((amountWon) =>
      newCharge({ customerId: shopper.id, amountWon, deliveryFeeWon: 0, expressFeeWon: 0 }),
    );
    for (const charge of charges) await postCharge(charge, orderService.assert(shopper));
    await publishCancel(charges[1]!);
    await eventually(async () =>
      expect(await paymentRow(charges[1]!.orderId)).toMatchObject({ status: 'REFUNDED' }),
    );

    const ledger = await db.pointsEntry.findMany({
      where: { customerId: shopper.id },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
    expect(ledger.map(({ kind, points }) => [kind, points]).sort()).toEqual([
      ['EARNED', 100],
      ['EARNED', 200],
      ['EARNED', 300],
      ['REVERSED', -200],
    ]);
    const first = await myPoints(shopper, { first: 3 });
    expect(first.errors).toBeUndefined();
    expect(first.data?.myPoints.balance).toBe(400);
    expect(first.data?.myPoints.history.pageInfo.hasNextPage).toBe(true);
    const rest = await myPoints(shopper, {
      first: 3,
      after: first.data?.myPoints.history.pageInfo.endCursor,
    });
    expect(rest.data?.myPoints.history.pageInfo).toEqual({
      hasNextPage: false,
      endCursor: expect.any(String),
    });
    const pages = [...first.data!.myPoints.history.edges, ...rest.data!.myPoints.history.edges];
    expect(pages.map((edge) => edge.node)).toEqual(
      ledger.map((entry) => ({
        id: entry.id,
        kind: entry.kind,
        points: entry.points,
        at: entry.createdAt.toISOString(),
        order: { id: entry.orderId },
      })),
    );
  });

  it('gives a customer without points a zero balance and an empty history', async () => {
    const response = await myPoints({ id: `customer-${randomUUID()}`, role: 'CUSTOMER' });

    expect(response.data?.myPoints).toEqual({
      balance: 0,
      history: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
    });
  });

  it('is for customers only', async () => {
    for (const viewer of [owner, rider, admin]) {
      expect(errorCodes(await myPoints(viewer))).toEqual(['FORBIDDEN']);
    }
    expect(errorCodes(await myPoints(null))).toEqual(['UNAUTHENTICATED']);
  });

  it.each([
    ['first', { first: 0 }],
    ['first', { first: 101 }],
    ['after', { after: 'not-a-cursor' }],
  ])('refuses a bad %s with BAD_USER_INPUT naming it', async (field, args) => {
    const response = await myPoints(customer, args);

    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});
