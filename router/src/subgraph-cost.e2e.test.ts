import { eventually } from '@baedal/service-kit/testing';
import {
  isolatedPrefixes,
  patientCalls,
  placeDemoOrder,
  routerClient,
  type Stack,
  startStack,
  tokenFor,
} from '@baedal/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * What one read costs the subgraphs, in SQL statements (each subgraph's
 * `baedal_<subgraph>_db_statements_total`), through the router against the real processes.
 */

const subgraphs = ['order', 'payment', 'kitchen', 'delivery'] as const;

let stack: Stack;
let gql: ReturnType<typeof routerClient>;
const token: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({
    ...isolatedPrefixes('e2e'),
    ports: 'any',
    dropDatabases: true,
    env: { ...patientCalls, LOG_LEVEL: 'warn' },
  });
  gql = routerClient(stack.routerUrl);
  token.customer = await tokenFor({ role: 'CUSTOMER', id: 'customer-1' });
  token.owner = await tokenFor({ role: 'STORE_OWNER', id: 'owner-1' });
  token.rider = await tokenFor({ role: 'RIDER', id: 'rider-1' });
}, 180_000);

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

async function statements(): Promise<Record<(typeof subgraphs)[number], number>> {
  const counts = await Promise.all(
    subgraphs.map(async (name) => {
      const text = await (await fetch(stack.urls[name].replace(/\/graphql$/, '/metrics'))).text();
      const count = new RegExp(`^baedal_${name}_db_statements_total (\\S+)$`, 'm').exec(text);
      return [name, Number(count?.[1])] as const;
    }),
  );
  return Object.fromEntries(counts) as Record<(typeof subgraphs)[number], number>;
}

const must = async (tokenName: string, query: string) => {
  await eventually(async () => {
    const response = await gql(token[tokenName]!, query);
    expect(response.errors).toBeUndefined();
  });
};

describe('subgraph cost', () => {
  it('reads a whole order (payment, ticket, delivery, rider) in one statement per subgraph, two in delivery', async () => {
    const orderId = await placeDemoOrder(gql, token.customer!);
    for (const step of ['acceptOrder', 'startCooking', 'finishCooking'])
      await must(
        'owner',
        `mutation { ${step}(input: { orderId: "${orderId}" }) { ticket { id } } }`,
      );
    await must(
      'rider',
      'mutation { updateRiderLocation(input: { location: { lat: 37.4985, lng: 127.029 } }) { rider { id } } }',
    );
    let deliveryId = '';
    await eventually(async () => {
      const { data } = await gql<{ order: { delivery: { id: string } | null } }>(
        token.customer!,
        `{ order(id: "${orderId}") { delivery { id } } }`,
      );
      deliveryId = data?.order.delivery?.id ?? '';
      expect(deliveryId).not.toBe('');
    });
    await must(
      'rider',
      `mutation { claimDelivery(input: { deliveryId: "${deliveryId}" }) { delivery { id } } }`,
    );

    const fullOrder = async () => {
      const response = await gql<{ order: { delivery: { rider: { name: string } } } }>(
        token.customer!,
        `query($id: ID!) { order(id: $id) {
          id status items { name quantity } timeline { seq status }
          payment { status amountWon } kitchenTicket { status readyAt }
          delivery { status rider { name } }
        } }`,
        { id: orderId },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data?.order.delivery.rider.name).toBe('Kang Dohyun');
    };
    // Reading `/metrics` costs statements of its own (the event gauges), and relays poll in
    // the background (a statement or two a second): the median over a few tries of a read
    // around the query, less the median of a read with nothing between, is the query's cost.
    const reads = Object.fromEntries(subgraphs.map((name) => [name, [] as number[]]));
    const queries = Object.fromEntries(subgraphs.map((name) => [name, [] as number[]]));
    for (let attempt = 0; attempt < 7; attempt++) {
      const first = await statements();
      const before = await statements();
      await fullOrder();
      const after = await statements();
      for (const name of subgraphs) {
        reads[name]!.push(before[name] - first[name]);
        queries[name]!.push(after[name] - before[name]);
      }
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    const cost = Object.fromEntries(
      subgraphs.map((name) => [name, median(queries[name]!) - median(reads[name]!)]),
    );
    expect(cost).toEqual({ order: 1, payment: 1, kitchen: 1, delivery: 2 });
  }, 240_000);
});
