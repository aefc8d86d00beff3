import { errorCodes, eventually } from '@baedal/service-kit/testing';
import {
  gangnamChicken,
  isolatedPrefixes,
  Journey,
  patientCalls,
  type Stack,
  startStack,
} from '@baedal/stack';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Orders are taken while the kitchen is down and reach it, once each, when it returns (issue
 * 6, point 4); a cancel needs the kitchen and is refused, changing nothing, while it is down;
 * an order not paid in time is canceled by the system (flow 3).
 */

let stack: Stack;
let journey: Journey;

beforeAll(async () => {
  stack = await startStack({
    ...isolatedPrefixes('e2e'),
    ports: 'any',
    dropDatabases: true,
    env: {
      ...patientCalls,
      LOG_LEVEL: 'error',
      UNPAID_ORDER_TTL_MS: '3000',
      UNPAID_ORDER_SWEEP_MS: '500',
    },
  });
  journey = await Journey.start(stack.routerUrl, { timeoutMs: 90_000 });
}, 180_000);

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const cancelOrder = (orderId: string) =>
  journey.as<{ cancelOrder: { order: { status: string } } }>(
    'customer',
    'mutation($input: CancelOrderInput!) { cancelOrder(input: $input) { order { status } } }',
    { input: { orderId, reason: 'Too late for dinner' } },
  );

describe('the kitchen down', () => {
  it('takes and pays orders while the kitchen is down; the kitchen receives each once when it is back', async () => {
    await stack.services.kitchen.stop();
    const orders: string[] = [];
    for (let i = 0; i < 5; i++) orders.push((await journey.placed()).id);

    const refused = await cancelOrder(orders[0]!);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'KITCHEN_UNAVAILABLE',
      retryable: true,
    });
    expect(await journey.statusOf(orders[0]!)).toBe('PLACED');

    await stack.services.kitchen.start();
    await eventually(async () => {
      const { data } = await journey.as<{
        store: { tickets: { edges: { node: { id: string; status: string } }[] } };
      }>(
        'owner',
        `{ store(id: "${gangnamChicken.id}") { tickets(first: 100) { edges { node { id status } } } } }`,
      );
      const received = data!.store.tickets.edges.map((edge) => edge.node);
      for (const orderId of orders) {
        expect(received.filter((ticket) => ticket.id === orderId)).toEqual([
          { id: orderId, status: 'PENDING' },
        ]);
      }
    }, 60_000);
    const kitchen = new pg.Client({ connectionString: stack.databaseUrls.kitchen });
    await kitchen.connect();
    const { rows } = await kitchen.query<{ count: string }>(
      'SELECT count(*) FROM kitchen_ticket WHERE order_id = ANY($1::uuid[])',
      [orders],
    );
    await kitchen.end();
    expect(Number(rows[0]!.count)).toBe(orders.length);

    // Back up, the kitchen decides the cancel.
    const canceled = await cancelOrder(orders[0]!);
    expect(canceled.data?.cancelOrder.order.status).toBe('CANCELED');
  });
});

describe('unpaid orders', () => {
  it('cancels an order not paid in time, as the system, and refuses to pay it afterwards', async () => {
    const declined = await journey.placeOrder({ cardToken: 'tok_declined' });
    expect(errorCodes(declined)).toEqual(['PAYMENT_DECLINED']);
    const orderId = declined.errors![0]!.extensions!.orderId as string;

    await eventually(async () => {
      const { data } = await journey.as<{
        order: {
          status: string;
          payBy: string | null;
          timeline: { status: string; actor: { role: string }; reason: string | null }[];
        };
      }>(
        'customer',
        'query($id: ID!) { order(id: $id) { status payBy timeline { status actor { role } reason } } }',
        {
          id: orderId,
        },
      );
      expect(data?.order.status).toBe('CANCELED');
      expect(data?.order.payBy).toBeNull();
      expect(data?.order.timeline.at(-1)).toMatchObject({
        status: 'CANCELED',
        actor: { role: 'SYSTEM' },
        reason: expect.stringMatching(/Not paid/),
      });
    });
    const late = await journey.as(
      'customer',
      'mutation($input: PayOrderInput!) { payOrder(input: $input) { order { status } } }',
      { input: { orderId, payment: { cardToken: 'tok_visa' } } },
    );
    expect(late.errors?.[0]?.extensions).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentStatus: 'CANCELED',
    });
  });
});
