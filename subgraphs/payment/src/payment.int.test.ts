import { randomUUID } from 'node:crypto';
import { eventStream, Outbox } from '@baedal/event-bus';
import {
  generateServiceKeyPair,
  IdentityAsserter,
  identityHeader,
  parsePrivateKey,
} from '@baedal/identity';
import { createLogger, developmentSecrets } from '@baedal/service-kit';
import {
  eventually,
  type SubgraphUnderTest,
  startSubgraphForTest,
} from '@baedal/service-kit/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPaymentConfig } from './config.js';
import { connectDatabase, type Db, type Tx } from './db.js';
import type { CardCharge, CardChargeRequest, CardGateway } from './payments/card.gateway.js';
import { chargesPath } from './payments/charge.route.js';
import { chargeOrder } from './payments/charge-order.command.js';
import type { Payment } from './payments/payment.aggregate.js';
import { PaymentRepository } from './payments/payment.repository.js';
import { start } from './server.js';

const customer = { id: 'customer-1', role: 'CUSTOMER' } as const;
const otherCustomer = { id: 'customer-2', role: 'CUSTOMER' } as const;
const admin = { id: 'admin-1', role: 'ADMIN' } as const;

const orderKey = parsePrivateKey(developmentSecrets.orderPrivateKey);
const routerKey = parsePrivateKey(developmentSecrets.routerPrivateKey);
const orderService = new IdentityAsserter({ issuer: 'order', audience: 'payment', key: orderKey });

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
  chargesUrl = payment.url.replace(/\/graphql$/, chargesPath);
});

afterAll(() => payment?.[Symbol.asyncDispose]());

interface ChargeReply {
  readonly status: number;
  readonly body: {
    paymentId?: string;
    status?: string;
    declineReason?: string | null;
    error?: { code: string; message: string; field?: string };
  };
}

const newCharge = (change: Record<string, unknown> = {}) => ({
  orderId: randomUUID(),
  customerId: customer.id,
  amountWon: 41_000,
  cardToken: 'tok_visa_4242',
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

/**
 * The events the payment subgraph announced about `orderId`, once its relay has published
 * everything committed so far: what is in the stream then is all there will ever be.
 */
async function announcedFor(orderId: string) {
  await eventually(async () =>
    expect(await db.outboxEvent.count({ where: { publishedAt: null } })).toBe(0),
  );
  return (await redis.xrange(eventStream(prefix, 'payment'), '-', '+'))
    .map(([, fields]) => JSON.parse(fields[3]!))
    .filter((event) => event.correlationId === orderId);
}

const paymentRow = (orderId: string) => db.payment.findUniqueOrThrow({ where: { orderId } });

describe('charging an order', () => {
  it('captures a good card and announces the capture on the payment stream', async () => {
    const charge = newCharge();
    const reply = await postCharge(charge);

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      paymentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      status: 'CAPTURED',
      declineReason: null,
    });
    expect(await paymentRow(charge.orderId)).toMatchObject({
      id: reply.body.paymentId,
      customerId: customer.id,
      amountWon: 41_000,
      status: 'CAPTURED',
      cardLast4: '4242',
      attempts: 1,
      capturedAt: expect.any(Date),
    });
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

  it('answers a repeated charge with the same payment, charging and announcing nothing more', async () => {
    const charge = newCharge();
    const first = await postCharge(charge);
    // A token that would be declined shows that the card was not charged again.
    const again = await postCharge({ ...charge, cardToken: 'tok_declined' });

    expect(again).toEqual(first);
    expect(await paymentRow(charge.orderId)).toMatchObject({ attempts: 1, cardLast4: '4242' });
    expect(await announcedFor(charge.orderId)).toHaveLength(1);
  });

  it('declines tok_declined with the reason and announces nothing', async () => {
    const charge = newCharge({ cardToken: 'tok_declined' });
    const reply = await postCharge(charge);

    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      status: 'DECLINED',
      declineReason: 'The card was declined by its issuer.',
    });
    expect(await paymentRow(charge.orderId)).toMatchObject({
      status: 'DECLINED',
      capturedAt: null,
      attempts: 1,
    });
    expect(await announcedFor(charge.orderId)).toEqual([]);
  });

  it('captures a retry with a good card after a decline, as the second attempt of the same payment', async () => {
    const charge = newCharge({ cardToken: 'tok_declined' });
    const declined = await postCharge(charge);
    const retried = await postCharge({ ...charge, cardToken: 'tok_mastercard_5100' });

    expect(retried.body).toEqual({
      paymentId: declined.body.paymentId,
      status: 'CAPTURED',
      declineReason: null,
    });
    expect(await paymentRow(charge.orderId)).toMatchObject({
      status: 'CAPTURED',
      cardLast4: '5100',
      declineReason: null,
      attempts: 2,
    });
    expect(await announcedFor(charge.orderId)).toEqual([
      expect.objectContaining({
        payload: expect.objectContaining({ paymentId: retried.body.paymentId }),
      }),
    ]);
  });

  it('records one payment and one event when one order is charged five times at once', async () => {
    const charge = newCharge();
    const replies = await Promise.all(Array.from({ length: 5 }, () => postCharge(charge)));

    const paymentId = replies[0]!.body.paymentId;
    for (const reply of replies) {
      expect(reply).toEqual({
        status: 200,
        body: { paymentId, status: 'CAPTURED', declineReason: null },
      });
    }
    expect(await db.payment.count({ where: { orderId: charge.orderId } })).toBe(1);
    expect(await announcedFor(charge.orderId)).toHaveLength(1);
  });

  it('refuses a repeated charge for another amount with CONFLICT, and changes nothing', async () => {
    const charge = newCharge();
    await postCharge(charge);
    const reply = await postCharge({ ...charge, amountWon: 1 });

    expect(reply.status).toBe(409);
    expect(reply.body.error).toMatchObject({ code: 'CONFLICT' });
    expect(await paymentRow(charge.orderId)).toMatchObject({ amountWon: 41_000, attempts: 1 });
  });

  it.each([
    [
      'the router, for this subgraph',
      () =>
        new IdentityAsserter({ issuer: 'router', audience: 'payment', key: routerKey }).assert(
          customer,
        ),
    ],
    [
      'the router, as the order subgraph',
      () =>
        new IdentityAsserter({ issuer: 'order', audience: 'payment', key: routerKey }).assert(
          customer,
        ),
    ],
    [
      'the order subgraph, for another subgraph',
      () =>
        new IdentityAsserter({ issuer: 'order', audience: 'kitchen', key: orderKey }).assert(
          customer,
        ),
    ],
    ['nobody', () => null],
    [
      'a key nobody trusts',
      () =>
        new IdentityAsserter({
          issuer: 'order',
          audience: 'payment',
          key: parsePrivateKey(generateServiceKeyPair().privateKey),
        }).assert(customer),
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
    ['cardToken', { cardToken: '' }],
    ['cardToken', { cardToken: 't'.repeat(201) }],
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
});

describe('Order.payment', () => {
  const paymentOf = (viewer: Parameters<typeof call>[0], orderId: string) =>
    call<{ _entities: { payment: Record<string, unknown> | null }[] }>(
      viewer,
      'query($id: ID!) { _entities(representations: [{ __typename: "Order", id: $id }]) { ... on Order { payment { status amountWon cardLast4 declineReason } } } }',
      { id: orderId },
    );

  it("shows the order's payment to its customer and to an administrator", async () => {
    const charge = newCharge();
    await postCharge(charge);
    const expected = {
      status: 'CAPTURED',
      amountWon: 41_000,
      cardLast4: '4242',
      declineReason: null,
    };

    for (const viewer of [customer, admin]) {
      const response = await paymentOf(viewer, charge.orderId);
      expect(response.errors).toBeUndefined();
      expect(response.data?._entities).toEqual([{ payment: expected }]);
    }
  });

  it('hides the payment from another customer and from an anonymous viewer', async () => {
    const charge = newCharge();
    await postCharge(charge);

    for (const viewer of [otherCustomer, null]) {
      const response = await paymentOf(viewer, charge.orderId);
      expect(response.errors).toBeUndefined();
      expect(response.data?._entities).toEqual([{ payment: null }]);
    }
  });

  it('is null, not an error, for an order without a payment or an id that is no order id', async () => {
    for (const orderId of [randomUUID(), 'not-an-order-id']) {
      const response = await paymentOf(customer, orderId);
      expect(response.errors).toBeUndefined();
      expect(response.data?._entities).toEqual([{ payment: null }]);
    }
  });
});

describe('the charge command under a race', () => {
  /** Answers no charge until `count` charges wait, so that they all race past the lookup. */
  class BarrierGateway implements CardGateway {
    charges = 0;
    readonly #release: (() => void)[] = [];
    constructor(private readonly count: number) {}

    charge(): Promise<CardCharge> {
      this.charges += 1;
      return new Promise((resolve) => {
        this.#release.push(() => resolve({ approved: true, cardLast4: '4242' }));
        if (this.#release.length === this.count) for (const release of this.#release) release();
      });
    }
  }

  class CountingGateway implements CardGateway {
    charges = 0;

    async charge(): Promise<CardCharge> {
      this.charges += 1;
      return { approved: true, cardLast4: '4242' };
    }
  }

  /** An outbox on the test database that never relays: what it holds is what was committed. */
  const quietOutbox = () =>
    new Outbox<Tx>(db, {
      redis,
      stream: eventStream(prefix, 'unused'),
      logger: createLogger('payment-test', { level: 'silent', format: 'json' }),
    });

  const capturesAppended = (orderId: string) =>
    db.$queryRaw<{ count: bigint }[]>`
      SELECT count(*) FROM outbox_event
      WHERE type = 'payment.captured' AND envelope->>'correlationId' = ${orderId}`.then(([row]) =>
      Number(row!.count),
    );

  it('charges the card once when five charges of one order arrive at once', async () => {
    const cards = new CountingGateway();
    const outbox = quietOutbox();
    const charge = chargeOrder({ db, outbox, payments: new PaymentRepository(outbox), cards });
    const input = newCharge();

    const payments = await Promise.all(Array.from({ length: 5 }, () => charge(input, customer)));

    expect(new Set(payments.map((payment) => payment.id)).size).toBe(1);
    expect(cards.charges).toBe(1);
    expect(await capturesAppended(input.orderId)).toBe(1);
  });

  it('gives the card gateway one idempotency key per attempt, repeated when recording failed', async () => {
    class RecordingGateway implements CardGateway {
      readonly keys: string[] = [];
      async charge(request: CardChargeRequest): Promise<CardCharge> {
        this.keys.push(request.idempotencyKey);
        return request.cardToken === 'tok_declined'
          ? { approved: false, reason: 'Declined.', cardLast4: 'ined' }
          : { approved: true, cardLast4: '4242' };
      }
    }
    class FlakyRepository extends PaymentRepository {
      failNextSave = false;
      override async save(tx: Tx, payment: Payment): Promise<void> {
        if (this.failNextSave) {
          this.failNextSave = false;
          throw new Error('The database went away.');
        }
        await super.save(tx, payment);
      }
    }
    const outbox = quietOutbox();
    const cards = new RecordingGateway();
    const payments = new FlakyRepository(outbox);
    const charge = chargeOrder({ db, outbox, payments, cards });
    const input = newCharge({ cardToken: 'tok_declined' });

    await charge(input, customer);
    payments.failNextSave = true;
    await expect(charge({ ...input, cardToken: 'tok_visa' }, customer)).rejects.toThrow(
      'The database went away.',
    );
    const payment = await charge({ ...input, cardToken: 'tok_visa' }, customer);

    expect(payment).toMatchObject({ status: 'CAPTURED', attempts: 2 });
    expect(cards.keys).toEqual([
      `${input.orderId}:1`,
      `${input.orderId}:2`,
      // The retry of the attempt whose payment was not recorded: the provider must not charge.
      `${input.orderId}:2`,
    ]);
  });

  it("answers the first-recorded payment, not an error, to charges that raced past the order's lock", async () => {
    class UnlockedRepository extends PaymentRepository {
      override async lockOrder(): Promise<void> {}
    }
    const outbox = quietOutbox();
    const cards = new BarrierGateway(5);
    const charge = chargeOrder({ db, outbox, payments: new UnlockedRepository(outbox), cards });
    const input = newCharge();

    const payments = await Promise.all(Array.from({ length: 5 }, () => charge(input, customer)));

    expect(cards.charges).toBe(5);
    expect(new Set(payments.map((payment) => payment.id)).size).toBe(1);
    expect(payments.every((payment) => payment.status === 'CAPTURED')).toBe(true);
    expect(await db.payment.count({ where: { orderId: input.orderId } })).toBe(1);
    expect(await capturesAppended(input.orderId)).toBe(1);
  });
});
