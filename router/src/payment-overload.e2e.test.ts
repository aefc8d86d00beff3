import { errorCodes, eventually } from '@baedal/service-kit/testing';
import { isolatedPrefixes, Journey, type Stack, startStack } from '@baedal/stack';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Flow 3 through the router against the real processes: payment slow, down, or crashing in
 * the middle of a charge, behind the order subgraph's circuit breaker. The simulated card
 * provider is switched by configuration only: `tok_slow` answers after
 * SIMULATED_CARD_SLOW_MS (having charged at once), `tok_declined` is declined.
 *
 * The tests run in order: the breaker is one per order process, and the third test opens it.
 */

let stack: Stack;
let journey: Journey;
let payments: pg.Client;

beforeAll(async () => {
  stack = await startStack({
    ...isolatedPrefixes('e2e'),
    ports: 'any',
    dropDatabases: true,
    env: {
      LOG_LEVEL: 'error',
      // Far apart, so that a busy machine cannot blur them: a charge answered in 3 s is
      // in time, the slow card answers after 15 s.
      PAYMENT_TIMEOUT_MS: '3000',
      SIMULATED_CARD_SLOW_MS: '15000',
      CIRCUIT_BREAKER_MIN_REQUESTS: '3',
      CIRCUIT_BREAKER_ERROR_PERCENT: '50',
      CIRCUIT_BREAKER_RESET_MS: '5000',
      SETTLE_INTERVAL_MS: '500',
      SETTLE_AFTER_MS: '1000',
    },
  });
  journey = await Journey.start(stack.routerUrl, { timeoutMs: 90_000 });
  payments = new pg.Client({ connectionString: stack.databaseUrls.payment });
  await payments.connect();
  // The first charge warms every process on the way up.
  await journey.placed();
}, 180_000);

afterAll(async () => {
  await payments?.end();
  await stack?.[Symbol.asyncDispose]();
});

const payOrder = (orderId: string, cardToken = 'tok_visa') =>
  journey.as<{ payOrder: { order: { status: string } } }>(
    'customer',
    'mutation($input: PayOrderInput!) { payOrder(input: $input) { order { status } } }',
    { input: { orderId, payment: { cardToken } } },
  );

/** Places an order whose payment does not complete at once; resolves with its id and message. */
async function waitingForPayment(cardToken: string) {
  const response = await journey.placeOrder({ cardToken });
  expect(response.errors).toBeUndefined();
  const { order, message } = response.data!.placeOrder;
  expect(order.status).toBe('PAYMENT_PENDING');
  expect(message).toMatch(/payOrder/);
  return order.id;
}

/** Charges the card provider's own books record for an order: money it moved. */
async function providerCharges(orderId: string): Promise<number> {
  const { rows } = await payments.query<{ count: string }>(
    "SELECT count(*) FROM simulated_card_operation WHERE kind = 'charge' AND approved AND idempotency_key LIKE $1",
    [`${orderId}:%`],
  );
  return Number(rows[0]!.count);
}

/** Charge attempts payment recorded for an order: none means payment was never asked. */
async function chargeAttempts(orderId: string): Promise<number> {
  const { rows } = await payments.query<{ count: string }>(
    'SELECT count(*) FROM charge_attempt a JOIN payment p ON p.id = a.payment_id WHERE p.order_id = $1',
    [orderId],
  );
  return Number(rows[0]!.count);
}

const paymentOf = async (orderId: string) =>
  (
    await journey.as<{
      order: { status: string; payment: { status: string; pointsEarned: number } | null };
    }>(
      'customer',
      'query($id: ID!) { order(id: $id) { status payment { status pointsEarned } } }',
      { id: orderId },
    )
  ).data!.order;

/** Until payOrder goes through (payment back, breaker closed again); its last answer. */
async function payWhenPossible(orderId: string) {
  return journey.waitFor(async () => {
    const response = await payOrder(orderId);
    return errorCodes(response)[0] === 'PAYMENT_UNAVAILABLE' ? undefined : response;
  }, `payment to take the payment of ${orderId}`);
}

describe('payment overload', () => {
  it("keeps a declined order out of every store's queue, and takes another card later", async () => {
    const declined = await journey.placeOrder({ cardToken: 'tok_declined' });
    expect(declined.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_DECLINED' });
    const orderId = declined.errors![0]!.extensions!.orderId as string;
    const tickets = async () =>
      (
        await journey.as<{ store: { tickets: { edges: { node: { id: string } }[] } } }>(
          'owner',
          '{ store(id: "store-gangnam-chicken") { tickets(first: 100) { edges { node { id } } } } }',
        )
      ).data!.store.tickets.edges.map((edge) => edge.node.id);
    expect(await tickets()).not.toContain(orderId);
    expect((await paymentOf(orderId)).status).toBe('PAYMENT_PENDING');

    const paid = await payOrder(orderId);
    expect(paid.errors).toBeUndefined();
    expect(paid.data?.payOrder.order.status).toBe('PLACED');
    await eventually(async () => expect(await tickets()).toContain(orderId));
  });

  it('answers at once with the order waiting for payment when payment is slow; the late capture completes it, charged once', async () => {
    const orderId = await waitingForPayment('tok_slow');
    // The customer tries again with another card while the first charge is unknown: payment
    // settles that one first, so this answers the order paid by it, or asks to try later, or
    // finds it paid already (by the settle job), but never charges the second card.
    const retried = await payOrder(orderId);
    if (retried.errors) {
      expect(retried.errors[0]?.extensions).toMatchObject(
        retried.errors[0]?.extensions?.code === 'INVALID_TRANSITION'
          ? { currentStatus: 'PLACED' }
          : { code: 'PAYMENT_UNAVAILABLE' },
      );
    } else {
      expect(retried.data?.payOrder.order.status).toBe('PLACED');
    }

    await eventually(async () => {
      expect(await paymentOf(orderId)).toMatchObject({
        status: 'PLACED',
        payment: { status: 'CAPTURED', pointsEarned: 220 },
      });
    });
    expect(await providerCharges(orderId)).toBe(1);
  });

  it('stops asking payment once its breaker is open, and payOrder succeeds once payment answers again', async () => {
    // At once, so that the three failures fall within the breaker's rolling window (10 s)
    // however busy the machine: one after the other they take 9 s and more.
    await Promise.all(Array.from({ length: 3 }, () => waitingForPayment('tok_slow')));
    // The breaker is open: this order is not even sent to payment.
    const untouched = await waitingForPayment('tok_visa');
    expect(await chargeAttempts(untouched)).toBe(0);

    const paid = await payWhenPossible(untouched);
    expect(paid.errors).toBeUndefined();
    expect(paid.data?.payOrder.order.status).toBe('PLACED');
    expect(await providerCharges(untouched)).toBe(1);
  });

  it('waits for payment while the payment subgraph is down, and is paid once it is back', async () => {
    await stack.services.payment.stop();
    const orderId = await waitingForPayment('tok_visa');
    expect(errorCodes(await payOrder(orderId))).toEqual(['PAYMENT_UNAVAILABLE']);
    expect((await paymentOf(orderId)).status).toBe('PAYMENT_PENDING');

    await stack.services.payment.start();
    const paid = await payWhenPossible(orderId);
    expect(paid.data?.payOrder.order.status).toBe('PLACED');
    expect(await providerCharges(orderId)).toBe(1);
  });

  it('settles a charge left unknown by a crash: the money taken completes the order, once', async () => {
    const orderId = await waitingForPayment('tok_slow');
    // The provider took the money and is still answering: the payment process dies now.
    await eventually(async () => expect(await providerCharges(orderId)).toBe(1));
    await stack.services.payment.stop('SIGKILL');
    await stack.services.payment.start();

    await eventually(async () => {
      expect(await paymentOf(orderId)).toMatchObject({
        status: 'PLACED',
        payment: { status: 'CAPTURED' },
      });
    }, 60_000);
    expect(await providerCharges(orderId)).toBe(1);
  });
});
