import { type RedisServer, startRedisServer } from '@baedal/event-bus/testing';
import { eventually } from '@baedal/service-kit/testing';
import {
  isolatedPrefixes,
  placeDemoOrder,
  routerClient,
  type Stack,
  startStack,
  tokenFor,
} from '@baedal/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Redis losing everything it had, with the real processes: the stack runs on a Redis of this
 * test's own, which it kills and starts again empty (as a Redis without persistence comes
 * back), while the kitchen is down.
 */

let redis: RedisServer;
let stack: Stack;
let gql: ReturnType<typeof routerClient>;
let customer: string;

beforeAll(async () => {
  redis = await startRedisServer();
  stack = await startStack({
    ...isolatedPrefixes('reset'),
    redisUrl: redis.url,
    ports: 'any',
    dropDatabases: true,
    env: { LOG_LEVEL: 'warn' },
  });
  gql = routerClient(stack.routerUrl);
  customer = await tokenFor({ role: 'CUSTOMER', id: 'customer-1' });
}, 180_000);

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
  await redis?.[Symbol.asyncDispose]();
});

/** The status of the order's kitchen ticket, as its customer sees it through the router. */
async function ticketStatus(orderId: string): Promise<string | undefined> {
  const { data } = await gql<{ order: { kitchenTicket: { status: string } | null } | null }>(
    customer,
    'query($id: ID!) { order(id: $id) { kitchenTicket { status } } }',
    { id: orderId },
  );
  return data?.order?.kitchenTicket?.status;
}

/** A metric of a service's `/metrics`, summed over its labels; undefined if it has none. */
async function metric(graphqlUrl: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(new URL('/metrics', graphqlUrl))).text();
  const values = text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => Number(line.split(' ').at(-1)));
  return values.length === 0 ? undefined : values.reduce((sum, value) => sum + value, 0);
}

describe('a Redis reset', () => {
  it('loses no paid order: each reaches the kitchen, even one placed while the kitchen was down', async () => {
    const placedBefore = await placeDemoOrder(gql, customer);
    await eventually(async () => expect(await ticketStatus(placedBefore)).toBe('PENDING'));

    await stack.services.kitchen.stop();
    const placedWhileKitchenDown = [
      await placeDemoOrder(gql, customer),
      await placeDemoOrder(gql, customer),
      await placeDemoOrder(gql, customer),
    ];
    await redis.restart();
    const placedAfterReset = await placeDemoOrder(gql, customer);
    await stack.services.kitchen.start();

    for (const orderId of [placedBefore, ...placedWhileKitchenDown, placedAfterReset]) {
      await eventually(async () => expect(await ticketStatus(orderId)).toBe('PENDING'), 60_000);
    }
    // The order subgraph's relay published again what the kitchen had not acknowledged.
    expect(
      await metric(stack.urls.order, 'baedal_events_republished_total'),
    ).toBeGreaterThanOrEqual(placedWhileKitchenDown.length);
    await eventually(async () => {
      expect(await metric(stack.urls.kitchen, 'baedal_events_consumer_lag')).toBe(0);
      expect(await metric(stack.urls.kitchen, 'baedal_events_consumer_pending')).toBe(0);
      expect(await metric(stack.urls.order, 'baedal_events_outbox_unpublished')).toBe(0);
    });
  }, 240_000);
});
