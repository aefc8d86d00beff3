import { randomUUID } from 'node:crypto';
import { chargePath, orderCanceled } from '@baedal/contracts';
import { eventStream, publishEvent } from '@baedal/event-bus';
import { identityHeader } from '@baedal/identity';
import {
  assertionsAs,
  eventually,
  type SubgraphUnderTest,
  startSubgraphForTest,
} from '@baedal/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPaymentConfig } from './config.js';
import { connectDatabase, type Db } from './db.js';
import { cardLast4Of } from './payments/card-provider.js';
import { start } from './server.js';

/*
 * Charges whose outcome the payment subgraph does not know: the card provider answered too
 * late (`tok_slow`), could not be reached (`SIMULATED_CARD_OUTAGE`), or the service stopped
 * between recording an attempt and recording its answer. Each subgraph here runs with its own
 * configuration, as an operator would set it.
 */

const customer = { id: 'customer-1', role: 'CUSTOMER' } as const;
const system = { role: 'SYSTEM', id: null };
const orderService = assertionsAs('order', 'payment');
const anHour = 60 * 60 * 1000;

/**
 * The provider's answer to a first `tok_slow` charge never comes within a test, and the
 * subgraph gives up on it after 5 s (any other call answers in milliseconds, even on a busy
 * machine). The settle job sweeps often but only asks about attempts an hour old: those a
 * test backdates.
 */
const slowProvider = {
  CARD_PROVIDER_TIMEOUT_MS: '5000',
  SIMULATED_CARD_SLOW_MS: String(10 * 60 * 1000),
  SETTLE_AFTER_MS: String(anHour),
  SETTLE_INTERVAL_MS: '100',
};

let primary: SubgraphUnderTest<Db>;
let outage: SubgraphUnderTest<Db>;
let restarted: SubgraphUnderTest<Db>;
/** What a crash left in the restarted subgraph's database before it started. */
let leftByCrash: Awaited<ReturnType<typeof leaveCrashRemains>>;

beforeAll(async () => {
  [primary, outage, restarted] = await Promise.all([
    startSubgraphForTest(
      'payment',
      (env) => start(loadPaymentConfig({ ...env, ...slowProvider })),
      connectDatabase,
    ),
    startSubgraphForTest(
      'payment',
      (env) =>
        start(
          loadPaymentConfig({
            ...env,
            SIMULATED_CARD_OUTAGE: 'true',
            SETTLE_AFTER_MS: String(anHour),
          }),
        ),
      connectDatabase,
    ),
    startSubgraphForTest(
      'payment',
      async (env) => {
        const db = connectDatabase(env.DATABASE_URL!);
        try {
          leftByCrash = await leaveCrashRemains(db);
        } finally {
          await db.$disconnect();
        }
        // Sweeps only once, at start, within a test's lifetime.
        return start(loadPaymentConfig({ ...env, SETTLE_INTERVAL_MS: String(anHour) }));
      },
      connectDatabase,
    ),
  ]);
});

afterAll(() =>
  Promise.all([primary, outage, restarted].map((sut) => sut?.[Symbol.asyncDispose]())),
);

const newCharge = (change: Record<string, unknown> = {}) => ({
  orderId: randomUUID(),
  customerId: customer.id,
  amountWon: 41_000,
  deliveryFeeWon: 3_000,
  expressFeeWon: 0,
  cardToken: 'tok_visa_4242',
  attemptKey: randomUUID(),
  ...change,
});
type Charge = ReturnType<typeof newCharge>;

async function postCharge(sut: SubgraphUnderTest<Db>, body: Charge) {
  const response = await fetch(sut.url.replace(/\/graphql$/, chargePath), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [identityHeader]: await orderService.assert(customer),
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown> & {
      error?: Record<string, unknown>;
    },
  };
}

const paymentRow = (sut: SubgraphUnderTest<Db>, orderId: string) =>
  sut.db.payment.findUniqueOrThrow({
    where: { orderId },
    include: { attempts: { orderBy: { startedAt: 'asc' } } },
  });

/** What the card provider's books hold for the order: its charges and its refund. */
async function booksOf(sut: SubgraphUnderTest<Db>, orderId: string) {
  const row = await paymentRow(sut, orderId);
  return sut.db.simulatedCardOperation.findMany({
    where: {
      idempotencyKey: { in: [...row.attempts.map((attempt) => attempt.key), `refund:${row.id}`] },
    },
    orderBy: { createdAt: 'asc' },
  });
}

const pointsOf = (sut: SubgraphUnderTest<Db>, orderId: string) =>
  sut.db.pointsEntry
    .findMany({ where: { orderId }, orderBy: { createdAt: 'asc' } })
    .then((entries) => entries.map(({ kind, points }) => [kind, points]));

/** The events announced about `orderId` once the relay has published all that is committed. */
async function announcedFor(sut: SubgraphUnderTest<Db>, orderId: string) {
  await eventually(async () =>
    expect(await sut.db.outboxEvent.count({ where: { publishedAt: null } })).toBe(0),
  );
  return (await sut.redis.xrange(eventStream(sut.prefix, 'payment'), '-', '+'))
    .map(([, fields]) => JSON.parse(fields[3]!))
    .filter((event) => event.correlationId === orderId);
}

/** Makes the order's unknown attempts old enough for the settle job to ask about them. */
const backdate = (sut: SubgraphUnderTest<Db>, orderId: string) =>
  sut.db.chargeAttempt.updateMany({
    where: { status: 'PENDING', payment: { orderId } },
    data: { startedAt: new Date(Date.now() - 2 * anHour) },
  });

const publishCancel = (sut: SubgraphUnderTest<Db>, charge: Charge) =>
  publishEvent(
    sut.redis,
    sut.prefix,
    orderCanceled.create(
      {
        orderId: charge.orderId,
        customerId: charge.customerId,
        storeId: 'store-1',
        status: 'CANCELED',
        reason: null,
      },
      { actor: customer },
    ),
  );

/**
 * Writes what a payment subgraph leaves when it stops between recording an attempt and
 * recording the provider's answer: a PENDING payment and attempt, and in the provider's books
 * the charge if the provider received it (`charged`). `closed`: the order was canceled
 * meanwhile. `startedAt`: two hours ago unless given. Answers the charge request that made it.
 */
async function leaveUnknownCharge(
  db: Db,
  options: { cardToken: string; charged: boolean; closed?: boolean; startedAt?: Date },
): Promise<Charge> {
  const charge = newCharge({ cardToken: options.cardToken });
  const startedAt = options.startedAt ?? new Date(Date.now() - 2 * anHour);
  const cardLast4 = cardLast4Of(charge.cardToken);
  await db.payment.create({
    data: {
      id: randomUUID(),
      orderId: charge.orderId,
      customerId: charge.customerId,
      amountWon: charge.amountWon,
      deliveryFeeWon: charge.deliveryFeeWon,
      expressFeeWon: charge.expressFeeWon,
      status: 'PENDING',
      cardLast4,
      orderClosedAt: options.closed ? startedAt : null,
      version: 1,
      createdAt: startedAt,
      attempts: {
        create: {
          key: charge.attemptKey,
          cardToken: charge.cardToken,
          cardLast4,
          amountWon: charge.amountWon,
          status: 'PENDING',
          startedAt,
        },
      },
    },
  });
  if (options.charged) {
    const approved = charge.cardToken !== 'tok_declined';
    await db.simulatedCardOperation.create({
      data: {
        idempotencyKey: charge.attemptKey,
        kind: 'charge',
        amountWon: charge.amountWon,
        approved,
        declineReason: approved ? null : 'The card was declined by its issuer.',
      },
    });
  }
  return charge;
}

/** A captured payment of a canceled order whose refund a crash interrupted. */
async function leaveUnfinishedRefund(db: Db): Promise<Charge> {
  const charge = newCharge();
  const at = new Date(Date.now() - anHour);
  const paymentId = randomUUID();
  await db.payment.create({
    data: {
      id: paymentId,
      orderId: charge.orderId,
      customerId: charge.customerId,
      amountWon: charge.amountWon,
      deliveryFeeWon: charge.deliveryFeeWon,
      expressFeeWon: charge.expressFeeWon,
      status: 'REFUNDING',
      cardLast4: '4242',
      pointsEarned: 410,
      orderClosedAt: at,
      version: 3,
      createdAt: at,
      capturedAt: at,
      attempts: {
        create: {
          key: charge.attemptKey,
          cardToken: charge.cardToken,
          cardLast4: '4242',
          amountWon: charge.amountWon,
          status: 'APPROVED',
          startedAt: at,
          settledAt: at,
        },
      },
    },
  });
  await db.pointsEntry.create({
    data: {
      id: randomUUID(),
      customerId: charge.customerId,
      orderId: charge.orderId,
      paymentId,
      kind: 'EARNED',
      points: 410,
      createdAt: at,
    },
  });
  await db.simulatedCardOperation.create({
    data: {
      idempotencyKey: charge.attemptKey,
      kind: 'charge',
      amountWon: charge.amountWon,
      approved: true,
    },
  });
  return charge;
}

async function leaveCrashRemains(db: Db) {
  return {
    answerLost: await leaveUnknownCharge(db, { cardToken: 'tok_visa_4242', charged: true }),
    neverSent: await leaveUnknownCharge(db, { cardToken: 'tok_visa_4242', charged: false }),
    closedMeanwhile: await leaveUnknownCharge(db, {
      cardToken: 'tok_visa_4242',
      charged: true,
      closed: true,
    }),
    refundInterrupted: await leaveUnfinishedRefund(db),
  };
}

describe('a charge whose answer comes too late', () => {
  it('is answered PENDING, then settled by the settle job under its key and announced', async () => {
    const charge = newCharge({ cardToken: 'tok_slow' });
    const reply = await postCharge(primary, charge);

    expect(reply).toEqual({
      status: 200,
      body: { paymentId: expect.any(String), status: 'PENDING', declineReason: null },
    });
    expect(await paymentRow(primary, charge.orderId)).toMatchObject({
      status: 'PENDING',
      attempts: [expect.objectContaining({ status: 'PENDING' })],
    });
    // The provider took the money; only its answer is missing.
    expect(await booksOf(primary, charge.orderId)).toHaveLength(1);
    expect(await announcedFor(primary, charge.orderId)).toEqual([]);

    await backdate(primary, charge.orderId);
    await eventually(async () =>
      expect(await paymentRow(primary, charge.orderId)).toMatchObject({
        status: 'CAPTURED',
        attempts: [expect.objectContaining({ status: 'APPROVED' })],
      }),
    );
    expect(await booksOf(primary, charge.orderId)).toHaveLength(1);
    expect(await pointsOf(primary, charge.orderId)).toEqual([['EARNED', 410]]);
    expect(await announcedFor(primary, charge.orderId)).toEqual([
      expect.objectContaining({
        type: 'payment.captured',
        actor: system,
        payload: expect.objectContaining({ paymentId: reply.body.paymentId }),
      }),
    ]);
  });

  it('is learnt, not charged again, by a retry with the same key', async () => {
    const charge = newCharge({ cardToken: 'tok_slow' });
    const pending = await postCharge(primary, charge);
    const retried = await postCharge(primary, charge);

    expect(retried.body).toEqual({
      paymentId: pending.body.paymentId,
      status: 'CAPTURED',
      declineReason: null,
    });
    expect(await booksOf(primary, charge.orderId)).toHaveLength(1);
    expect(await announcedFor(primary, charge.orderId)).toEqual([
      expect.objectContaining({ type: 'payment.captured', actor: customer }),
    ]);
  });

  it('keeps another card from being charged: the first charge is asked about, and it went through', async () => {
    const charge = newCharge({ cardToken: 'tok_slow' });
    await postCharge(primary, charge);
    const other = await postCharge(primary, {
      ...charge,
      attemptKey: randomUUID(),
      cardToken: 'tok_mastercard_5100',
    });

    expect(other.body).toMatchObject({ status: 'CAPTURED' });
    expect(await paymentRow(primary, charge.orderId)).toMatchObject({
      status: 'CAPTURED',
      cardLast4: 'slow',
      attempts: [expect.objectContaining({ key: charge.attemptKey, status: 'APPROVED' })],
    });
    expect(await booksOf(primary, charge.orderId)).toHaveLength(1);
  });

  it('is refunded once it settles, when its order was canceled while it was unknown', async () => {
    const charge = newCharge({ cardToken: 'tok_slow' });
    const { body } = await postCharge(primary, charge);
    await publishCancel(primary, charge);
    await eventually(async () =>
      expect(await paymentRow(primary, charge.orderId)).toMatchObject({
        status: 'PENDING',
        orderClosedAt: expect.any(Date),
      }),
    );
    const late = await postCharge(primary, { ...charge, attemptKey: randomUUID() });
    expect(late.body.error).toMatchObject({ code: 'INVALID_TRANSITION', currentStatus: 'PENDING' });

    await backdate(primary, charge.orderId);
    await eventually(async () =>
      expect(await paymentRow(primary, charge.orderId)).toMatchObject({
        status: 'REFUNDED',
        capturedAt: expect.any(Date),
        refundedAt: expect.any(Date),
      }),
    );
    expect((await booksOf(primary, charge.orderId)).map((operation) => operation.kind)).toEqual([
      'charge',
      'refund',
    ]);
    expect(await pointsOf(primary, charge.orderId)).toEqual([
      ['EARNED', 410],
      ['REVERSED', -410],
    ]);
    expect(await announcedFor(primary, charge.orderId)).toEqual([
      expect.objectContaining({ type: 'payment.captured' }),
      expect.objectContaining({
        type: 'payment.refunded',
        payload: expect.objectContaining({ paymentId: body.paymentId, pointsReversed: 410 }),
      }),
    ]);
  });
});

describe('a charge whose outcome a crash left unknown', () => {
  // Left in the running primary subgraph, too recent for its settle job: requests find them.
  it('lets a new card be charged once it turns out declined', async () => {
    const charge = await leaveUnknownCharge(primary.db, {
      cardToken: 'tok_declined',
      charged: false,
      startedAt: new Date(),
    });
    const paid = await postCharge(primary, {
      ...charge,
      attemptKey: randomUUID(),
      cardToken: 'tok_visa_4242',
    });

    expect(paid.body).toMatchObject({ status: 'CAPTURED' });
    expect(await paymentRow(primary, charge.orderId)).toMatchObject({
      status: 'CAPTURED',
      attempts: [
        expect.objectContaining({ key: charge.attemptKey, status: 'DECLINED' }),
        expect.objectContaining({ status: 'APPROVED' }),
      ],
    });
    expect((await booksOf(primary, charge.orderId)).map((operation) => operation.approved)).toEqual(
      [false, true],
    );
  });

  it('cancels the payment of a canceled order once it settles declined', async () => {
    const charge = await leaveUnknownCharge(primary.db, {
      cardToken: 'tok_declined',
      charged: false,
      startedAt: new Date(),
    });
    await publishCancel(primary, charge);
    await eventually(async () =>
      expect(await paymentRow(primary, charge.orderId)).toMatchObject({
        orderClosedAt: expect.any(Date),
      }),
    );

    await backdate(primary, charge.orderId);
    await eventually(async () =>
      expect(await paymentRow(primary, charge.orderId)).toMatchObject({
        status: 'CANCELED',
        declineReason: 'The card was declined by its issuer.',
      }),
    );
    expect(await announcedFor(primary, charge.orderId)).toEqual([]);
  });

  it('is settled when the subgraph starts again, charging each card at most once', async () => {
    const { answerLost, neverSent, closedMeanwhile, refundInterrupted } = leftByCrash;

    for (const charge of [answerLost, neverSent]) {
      await eventually(async () =>
        expect(await paymentRow(restarted, charge.orderId)).toMatchObject({
          status: 'CAPTURED',
          attempts: [expect.objectContaining({ status: 'APPROVED' })],
        }),
      );
      expect(await booksOf(restarted, charge.orderId)).toHaveLength(1);
      expect(await pointsOf(restarted, charge.orderId)).toEqual([['EARNED', 410]]);
      expect(await announcedFor(restarted, charge.orderId)).toEqual([
        expect.objectContaining({ type: 'payment.captured', actor: system }),
      ]);
    }

    for (const charge of [closedMeanwhile, refundInterrupted]) {
      await eventually(async () =>
        expect(await paymentRow(restarted, charge.orderId)).toMatchObject({
          status: 'REFUNDED',
        }),
      );
      expect((await booksOf(restarted, charge.orderId)).map((operation) => operation.kind)).toEqual(
        ['charge', 'refund'],
      );
      expect(await pointsOf(restarted, charge.orderId)).toEqual([
        ['EARNED', 410],
        ['REVERSED', -410],
      ]);
      expect((await announcedFor(restarted, charge.orderId)).at(-1)).toMatchObject({
        type: 'payment.refunded',
        payload: { pointsReversed: 410 },
      });
    }
  });
});

describe('a card provider outage', () => {
  it('answers PENDING without charging, and starts no second charge beside the unknown one', async () => {
    const charge = newCharge();
    const first = await postCharge(outage, charge);
    const repeated = await postCharge(outage, charge);
    const otherCard = await postCharge(outage, {
      ...charge,
      attemptKey: randomUUID(),
      cardToken: 'tok_mastercard_5100',
    });

    for (const reply of [first, repeated, otherCard]) {
      expect(reply).toEqual({
        status: 200,
        body: { paymentId: first.body.paymentId, status: 'PENDING', declineReason: null },
      });
    }
    expect(await paymentRow(outage, charge.orderId)).toMatchObject({
      status: 'PENDING',
      attempts: [expect.objectContaining({ key: charge.attemptKey, status: 'PENDING' })],
    });
    expect(await booksOf(outage, charge.orderId)).toEqual([]);
  });
});
