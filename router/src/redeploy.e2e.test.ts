import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventStream } from '@baedal/event-bus';
import { eventually } from '@baedal/service-kit/testing';
import {
  Balancer,
  isolatedPrefixes,
  Journey,
  liveClient,
  type Person,
  patientCalls,
  type ServiceProcess,
  type Stack,
  startStack,
} from '@baedal/stack';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * Zero-downtime redeploy (issue 10, point 2). Two routers and two order subgraphs, each pair
 * behind a balancer that follows `/ready` as a Kubernetes Service does (the routers reach the
 * order subgraph through its balancer), are replaced one by one as a rolling update does: a
 * new replica starts and becomes ready, then an old one gets SIGTERM and exits. Meanwhile two
 * customers order without pause and a third follows an order live while it is cooked and
 * delivered. Nothing is retried: every request must succeed the first time.
 */

/** How long a stopping replica goes on serving, not ready, before it closes its port. */
const shutdownDelayMs = 2000;

interface Replica {
  readonly url: string;
  readonly process: ServiceProcess;
}

let stack: Stack;
let journey: Journey;
let routers: Balancer;
let orders: Balancer;
const replicas: { router: Replica[]; order: Replica[] } = { router: [], order: [] };
const origin = (url: string) => new URL(url).origin;

beforeAll(async () => {
  orders = await Balancer.start();
  routers = await Balancer.start();
  stack = await startStack({
    ...isolatedPrefixes('redeploy'),
    ports: 'any',
    dropDatabases: true,
    subgraphUrls: { order: `${orders.url}/graphql` },
    env: { ...patientCalls, LOG_LEVEL: 'error', SHUTDOWN_DELAY_MS: String(shutdownDelayMs) },
  });
  const [secondOrder, secondRouter] = await Promise.all([
    stack.startSubgraph('order'),
    stack.startRouter(),
  ]);
  replicas.order.push({ url: stack.urls.order, process: stack.services.order }, secondOrder);
  replicas.router.push({ url: stack.routerUrl, process: stack.services.router }, secondRouter);
  await Promise.all([
    ...replicas.order.map((replica) => orders.add(origin(replica.url))),
    ...replicas.router.map((replica) => routers.add(origin(replica.url))),
  ]);
  journey = await Journey.start(`${routers.url}/graphql`, { timeoutMs: 90_000 });
}, 400_000);

afterAll(async () => {
  await routers?.[Symbol.asyncDispose]();
  await orders?.[Symbol.asyncDispose]();
  await stack?.[Symbol.asyncDispose]();
});

/** Every answer the clients saw that was not a success, and every unexpected close. */
const failures: string[] = [];

/** A request through the routers' balancer as `person`; anything but a success is a failure. */
async function call<Data>(
  person: Person,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Data | undefined> {
  try {
    const response = await journey.as<Data>(person, query, variables);
    if (response.status === 200 && !response.errors && response.data) return response.data;
    failures.push(`${query}: ${response.status} ${JSON.stringify(response.errors)}`);
  } catch (error) {
    failures.push(`${query}: ${(error as Error).message}`);
  }
  return undefined;
}

/** Places orders one after the other, reading each back across the subgraphs, until stopped. */
async function keepOrdering(customer: Person, placed: string[], until: () => boolean) {
  while (!until()) {
    try {
      const response = await journey.placeOrder({ as: customer });
      const order = response.data?.placeOrder.order;
      if (response.status !== 200 || response.errors || order?.status !== 'PLACED') {
        failures.push(`placeOrder: ${response.status} ${JSON.stringify(response)}`);
        continue;
      }
      placed.push(order.id);
    } catch (error) {
      failures.push(`placeOrder: ${(error as Error).message}`);
      continue;
    }
    await call(customer, 'query($id: ID!) { order(id: $id) { status payment { status } } }', {
      id: placed.at(-1),
    });
    // A steady flow, not a flood: the replicas being replaced start on the same two cores.
    await sleep(250);
  }
}

interface StatusEvent {
  orderStatusChanged: { cursor: string; entry: { seq: number; status: string } };
}

const statusFeed = `subscription($id: ID!, $after: String) {
  orderStatusChanged(orderId: $id, after: $after) { cursor entry { seq status } }
}`;

/**
 * Follows an order live through the routers' balancer as a client app does: when its socket
 * closes with 1001 (the router is going away), it connects again and resumes after the last
 * cursor it received. Every other close, and every error, is a failure.
 */
function follow(orderId: string, token: string) {
  const seen: { seq: number; status: string }[] = [];
  let resumes = 0;
  let stopped = false;
  let current: AsyncDisposable | undefined;
  let cursor: string | undefined;
  const running = (async () => {
    while (!stopped) {
      const client = liveClient(`${routers.url}/graphql`, token);
      current = client;
      const feed = client.subscribe<StatusEvent>(statusFeed, { id: orderId, after: cursor });
      feed.onResult = (result) => {
        if (result.errors || !result.data) {
          failures.push(`orderStatusChanged: ${JSON.stringify(result.errors)}`);
          return;
        }
        const { entry } = result.data.orderStatusChanged;
        seen.push({ seq: entry.seq, status: entry.status });
        cursor = result.data.orderStatusChanged.cursor;
      };
      const { code, reason } = await client.closed;
      if (stopped) break;
      if (code !== 1001) failures.push(`the live socket closed with ${code} ${reason}`);
      resumes += 1;
    }
  })();
  return {
    seen,
    resumes: () => resumes,
    async stop() {
      stopped = true;
      await current?.[Symbol.asyncDispose]();
      await running;
    },
  };
}

const orderStatus = `query($id: ID!) { order(id: $id) {
  status kitchenTicket { status } delivery { id status } payment { status }
} }`;
interface OrderStatus {
  order: {
    status: string;
    kitchenTicket: { status: string } | null;
    delivery: { id: string; status: string } | null;
    payment: { status: string } | null;
  };
}

/** The followed order as its customer reads it (null if the read failed). */
const read = async (orderId: string) =>
  (await call<OrderStatus>('customer', orderStatus, { id: orderId }))?.order ?? null;

/** Waits until the order reads as `check` wants; reads that fail are failures, not retries. */
const until = (orderId: string, check: (order: OrderStatus['order']) => unknown) =>
  journey.waitFor(async () => {
    const order = await read(orderId);
    return order && check(order) ? order : undefined;
  }, `order ${orderId} to change`);

/**
 * The followed order's life after payment, one step at a time. Each step is sent once, when
 * what it needs has been seen (the kitchen has the ticket, the delivery is offered, the order
 * shows the step before), so that no step needs a retry.
 */
function lifeOf(orderId: string): (() => Promise<void>)[] {
  const kitchen = (mutation: string, after: string) => async () => {
    await until(orderId, (order) =>
      after === 'PLACED' ? order.kitchenTicket : order.status === after,
    );
    await call(
      'owner',
      `mutation($input: KitchenTicketInput!) { ${mutation}(input: $input) {
      ticket { status } } }`,
      { input: { orderId } },
    );
  };
  const rider = (mutation: string, after: string) => async () => {
    const { delivery } = await until(orderId, (order) => order.status === after && order.delivery);
    await call(
      'rider',
      `mutation($input: DeliveryActionInput!) { ${mutation}(input: $input) {
      delivery { status } } }`,
      { input: { deliveryId: delivery!.id } },
    );
  };
  return [
    kitchen('acceptOrder', 'PLACED'),
    kitchen('startCooking', 'ACCEPTED'),
    kitchen('finishCooking', 'COOKING'),
    rider('claimDelivery', 'READY_FOR_PICKUP'),
    rider('pickUpDelivery', 'RIDER_ASSIGNED'),
    async () => {
      await until(orderId, (order) => order.status === 'PICKED_UP');
      await call(
        'customer',
        `mutation($input: ConfirmDeliveryInput!) {
        confirmDelivery(input: $input) { order { status } } }`,
        { input: { orderId } },
      );
    },
  ];
}

/**
 * One step of a rolling update: a new replica starts and becomes ready behind the balancer,
 * then the oldest gets SIGTERM (`during` runs while it drains) and, once it has exited, is
 * taken off the balancer.
 */
async function replace(
  kind: 'router' | 'order',
  balancer: Balancer,
  during: () => Promise<void>,
): Promise<number | null> {
  const fresh = kind === 'router' ? await stack.startRouter() : await stack.startSubgraph('order');
  await balancer.add(origin(fresh.url));
  const old = replicas[kind].shift()!;
  replicas[kind].push(fresh);
  await Promise.all([old.process.stop(), during()]);
  balancer.remove(origin(old.url));
  return old.process.exitCode;
}

describe('a rolling update of the routers and the order subgraph', () => {
  // A guard against hangs: on a shared runner each replica takes a while to start.
  it('fails no request, loses no event, and the live client resumes by cursor without a gap', {
    timeout: 600_000,
  }, async () => {
    const followed = (await journey.placed()).id;
    const follower = follow(followed, journey.token('customer'));
    await eventually(() => expect(follower.seen.map((entry) => entry.status)).toEqual(['PLACED']));
    const orderReplicas = replicas.order.map((replica) => replica.url);

    let rolling = true;
    const placed: string[][] = [[], []];
    const traffic = Promise.all([
      keepOrdering('otherCustomer', placed[0]!, () => !rolling),
      keepOrdering('customer', placed[1]!, () => !rolling),
    ]);

    // Each replacement takes a step of the followed order while the old replica drains, and
    // one after; the last steps come once the rollout is over.
    const steps = lifeOf(followed);
    const step = async () => steps.shift()?.();
    const exits: (number | null)[] = [];
    for (const [kind, balancer] of [
      ['router', routers],
      ['order', orders],
      ['router', routers],
      ['order', orders],
    ] as const) {
      exits.push(await replace(kind, balancer, step));
      if (kind === 'order') orderReplicas.push(replicas.order.at(-1)!.url);
      await step();
    }
    // Orders go on for a while on the new replicas alone.
    const rolledAt = placed.flat().length;
    await journey.waitFor(
      async () => placed.flat().length >= rolledAt + 4 || undefined,
      'orders after the rollout',
    );
    rolling = false;
    await traffic;
    while (steps.length > 0) await step();

    // Every old replica stopped by itself, within its grace, after draining.
    expect(exits).toEqual([0, 0, 0, 0]);
    expect(failures).toEqual([]);
    expect(routers.failures).toEqual([]);
    expect(orders.failures).toEqual([]);
    const orderIds = placed.flat();
    expect(orderIds.length).toBeGreaterThan(0);
    // The traffic went to every order replica, the new ones included.
    expect([...orders.served.keys()].sort()).toEqual(orderReplicas.map(origin).sort());

    // The follower saw every change once, in order, across at least one router going away.
    await eventually(() =>
      expect(follower.seen).toEqual(
        [
          'PLACED',
          'ACCEPTED',
          'COOKING',
          'READY_FOR_PICKUP',
          'RIDER_ASSIGNED',
          'PICKED_UP',
          'DELIVERED',
        ].map((status, index) => ({ seq: index + 2, status })),
      ),
    );
    expect(follower.resumes()).toBeGreaterThanOrEqual(1);
    await follower.stop();
    expect(failures).toEqual([]);

    // Every order reached the kitchen, paid, and the followed one ended delivered everywhere.
    await using databases = await connectDatabases();
    await eventually(async () => {
      const { rows } = await databases.kitchen.query<{ status: string; count: string }>(
        'SELECT status, count(*) FROM kitchen_ticket WHERE order_id = ANY($1::uuid[]) GROUP BY status',
        [orderIds],
      );
      expect(rows).toEqual([{ status: 'PENDING', count: String(orderIds.length) }]);
    });
    const { rows: orderRows } = await databases.order.query<{ status: string; count: string }>(
      'SELECT status, count(*) FROM "order" WHERE id = ANY($1::uuid[]) GROUP BY status',
      [orderIds],
    );
    expect(orderRows).toEqual([{ status: 'PLACED', count: String(orderIds.length) }]);
    const { rows: payments } = await databases.payment.query<{ status: string; count: string }>(
      'SELECT status, count(*) FROM payment WHERE order_id = ANY($1::uuid[]) GROUP BY status',
      [orderIds],
    );
    expect(payments).toEqual([{ status: 'CAPTURED', count: String(orderIds.length) }]);
    await eventually(async () =>
      expect(await read(followed)).toEqual({
        status: 'DELIVERED',
        kitchenTicket: { status: 'DELIVERED' },
        delivery: { id: expect.any(String), status: 'DELIVERED' },
        payment: { status: 'CAPTURED' },
      }),
    );
    for (const database of [databases.order, databases.kitchen]) {
      const { rows } = await database.query<{ count: string }>('SELECT count(*) FROM dead_letter');
      expect(rows[0]!.count).toBe('0');
    }

    // Each order replica read the kitchen's events as a consumer of its own, and none left an
    // event unacknowledged.
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      const consumers = (await redis.xinfo(
        'CONSUMERS',
        eventStream(stack.streamPrefix, 'kitchen'),
        'order',
      )) as unknown[][];
      const names = consumers.map((fields) => String(fields[fields.indexOf('name') + 1]));
      expect(names.sort()).toEqual(
        orderReplicas.map((url) => `${hostname()}:${new URL(url).port}`).sort(),
      );
      await eventually(async () => {
        for (const [stream, group] of [
          ['kitchen', 'order'],
          ['delivery', 'order'],
          ['order', 'kitchen'],
        ] as const) {
          const [pending] = (await redis.xpending(
            eventStream(stack.streamPrefix, stream),
            group,
          )) as [number];
          expect({ stream, group, pending }).toEqual({ stream, group, pending: 0 });
        }
      });
    } finally {
      redis.disconnect();
    }
  });
});

/** Clients of the order, kitchen and payment databases, closed together. */
async function connectDatabases() {
  const clients = {
    order: new pg.Client({ connectionString: stack.databaseUrls.order }),
    kitchen: new pg.Client({ connectionString: stack.databaseUrls.kitchen }),
    payment: new pg.Client({ connectionString: stack.databaseUrls.payment }),
  };
  await Promise.all(Object.values(clients).map((client) => client.connect()));
  return {
    ...clients,
    async [Symbol.asyncDispose]() {
      await Promise.all(Object.values(clients).map((client) => client.end()));
    },
  };
}
