import { availableParallelism } from 'node:os';
import { eventually } from '@baedal/service-kit/testing';
import {
  isolatedPrefixes,
  type LiveClient,
  liveClient,
  patientCalls,
  placeDemoOrder,
  routerClient,
  type Stack,
  type Subscribed,
  startStack,
  tokenFor,
} from '@baedal/stack';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

/*
 * Subscriptions at the router, against the real processes: four subgraphs and the router on
 * PostgreSQL and Redis, with tokens of the three roles, over graphql-ws.
 */

let stack: Stack;
let gql: ReturnType<typeof routerClient>;
const token: Record<string, string> = {};
const clients: LiveClient[] = [];
/** The router's processes: the stack passes this process's `ROUTER_WORKERS` on (1 by default). */
const routerWorkers =
  process.env.ROUTER_WORKERS === 'auto'
    ? availableParallelism()
    : Number(process.env.ROUTER_WORKERS ?? 1);

beforeAll(async () => {
  stack = await startStack({
    ...isolatedPrefixes('live'),
    ports: 'any',
    dropDatabases: true,
    env: {
      ...patientCalls,
      LOG_LEVEL: 'warn',
      LIVE_KEEP_ALIVE_MS: '500',
      // A test subscribes 50 times at once as one person; the limits are tried in attacks.e2e.
      LIVE_MAX_SUBSCRIPTIONS_PER_PERSON: '100',
      LIVE_MAX_NEW_SUBSCRIPTIONS_PER_MINUTE: '1000',
    },
  });
  gql = routerClient(stack.routerUrl);
  const people = {
    customer: { role: 'CUSTOMER', id: 'customer-1' },
    otherCustomer: { role: 'CUSTOMER', id: 'customer-2' },
    owner: { role: 'STORE_OWNER', id: 'owner-1' },
    otherOwner: { role: 'STORE_OWNER', id: 'owner-2' },
    rider: { role: 'RIDER', id: 'rider-1' },
    /** Seeded in Hongdae. */
    hongdaeRider: { role: 'RIDER', id: 'rider-2' },
  } as const;
  for (const [name, viewer] of Object.entries(people)) token[name] = await tokenFor(viewer);
}, 180_000);

afterEach(async () => {
  for (const client of clients.splice(0)) await client[Symbol.asyncDispose]();
  // Closing a connection ends its subscriptions at the router: none is left behind.
  await eventually(async () => expect((await counters()).subscriptions).toBe(0));
});

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

function connect(who: string | null, url = stack.routerUrl): LiveClient {
  const client = liveClient(url, who === null ? null : token[who]!);
  clients.push(client);
  return client;
}

interface StatusEvent {
  orderStatusChanged: {
    cursor: string;
    entry: { seq: number; status: string };
    order: { status: string; delivery: { rider: { name: string } | null } | null };
  };
}

const statusFeed = `subscription($id: ID!, $after: String) {
  orderStatusChanged(orderId: $id, after: $after) {
    cursor
    entry { seq status }
    order { status delivery { rider { name } } }
  }
}`;

const statuses = (subscription: Subscribed<StatusEvent>) =>
  subscription.results.map((result) => result.data?.orderStatusChanged.entry.status);

/** The customer orders one item (a Gangnam chicken unless told otherwise); the order's id. */
const placeOrder = (storeId?: string, menuItemId?: string) =>
  placeDemoOrder(gql, token.customer!, { storeId, menuItemId });

/** The store's owner takes a step; retried until the kitchen has received the order. */
async function kitchen(mutation: string, orderId: string, owner = 'owner') {
  await eventually(async () => {
    const response = await gql(
      token[owner]!,
      `mutation { ${mutation}(input: { orderId: "${orderId}" }) { ticket { status } } }`,
    );
    expect(response.errors).toBeUndefined();
  });
}

async function claimByRider(orderId: string) {
  await gql(
    token.rider!,
    'mutation { updateRiderLocation(input: { location: { lat: 37.4985, lng: 127.029 } }) { rider { id } } }',
  );
  let deliveryId = '';
  await eventually(async () => {
    const { data } = await gql<{ order: { delivery: { id: string } | null } }>(
      token.customer!,
      `{ order(id: "${orderId}") { delivery { id } } }`,
    );
    deliveryId = data!.order.delivery!.id;
  });
  const claimed = await gql(
    token.rider!,
    `mutation { claimDelivery(input: { deliveryId: "${deliveryId}" }) { delivery { status } } }`,
  );
  expect(claimed.errors).toBeUndefined();
}

/** The router's counters, from its `/metrics`. */
async function counters(metricsUrl = stack.metricsUrl) {
  const text = await (await fetch(metricsUrl)).text();
  const value = (pattern: RegExp) =>
    text
      .split('\n')
      .filter((line) => pattern.test(line))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  return {
    liveSubgraphRequests: value(/^baedal_router_subgraph_requests_total\{.*origin="live"/),
    payloadExecutions: value(/^baedal_router_live_payload_executions_total /),
    subscriptions: value(/^baedal_router_live_subscriptions /),
  };
}

/** Subscribes, and waits until the router has registered the subscription for events. */
async function subscribed<Data>(start: () => Subscribed<Data>): Promise<Subscribed<Data>> {
  const before = (await counters()).subscriptions;
  const subscription = start();
  await eventually(async () => expect((await counters()).subscriptions).toBeGreaterThan(before));
  return subscription;
}

const codes = <Data>(subscription: Subscribed<Data>) =>
  subscription.results
    .flatMap((result) => result.errors ?? [])
    .map((error) => error.extensions?.code);

describe('an order, live', () => {
  it('yields the order as it is now, then every change in order, with fields from every subgraph', async () => {
    const orderId = await placeOrder();
    const feed = connect('customer').subscribe<StatusEvent>(statusFeed, { id: orderId });
    await eventually(() => expect(statuses(feed)).toEqual(['PLACED']));

    await kitchen('acceptOrder', orderId);
    await kitchen('startCooking', orderId);
    await kitchen('finishCooking', orderId);
    await claimByRider(orderId);

    await eventually(() =>
      expect(statuses(feed)).toEqual([
        'PLACED',
        'ACCEPTED',
        'COOKING',
        'READY_FOR_PICKUP',
        'RIDER_ASSIGNED',
      ]),
    );
    const seqs = feed.results.map((result) => result.data!.orderStatusChanged.entry.seq);
    expect(seqs).toEqual([2, 3, 4, 5, 6]);
    expect(new Set(feed.results.map((result) => result.data!.orderStatusChanged.cursor)).size).toBe(
      5,
    );
    // Resolved through the gateway: the rider comes from the delivery subgraph.
    expect(feed.results.at(-1)!.data!.orderStatusChanged.order.delivery?.rider?.name).toBe(
      'Kang Dohyun',
    );
  });

  it('resolves each event once for each distinct selection and person, not once per subscriber', async () => {
    // One subscriber: how many subgraph requests one event's payload takes.
    const single = await placeOrder();
    const one = connect('customer').subscribe<StatusEvent>(statusFeed, { id: single });
    await eventually(() => expect(statuses(one)).toEqual(['PLACED']));
    const beforeOne = await counters();
    await kitchen('acceptOrder', single);
    await eventually(() => expect(statuses(one)).toEqual(['PLACED', 'ACCEPTED']));
    const afterOne = await counters();
    const perEvent = afterOne.liveSubgraphRequests - beforeOne.liveSubgraphRequests;
    expect(perEvent).toBeGreaterThan(0);

    // A hundred subscribers of another order, over ten connections: the order's customer,
    // and (a second person, resolved separately) its store's owner, fifty each.
    const orderId = await placeOrder();
    const connections = Array.from({ length: 10 }, (_, i) => connect(i < 5 ? 'customer' : 'owner'));
    const feeds = connections.flatMap((client) =>
      Array.from({ length: 10 }, () => client.subscribe<StatusEvent>(statusFeed, { id: orderId })),
    );
    await eventually(() => expect(feeds.every((feed) => statuses(feed).length === 1)).toBe(true));
    const before = await counters();
    await kitchen('acceptOrder', orderId);
    await eventually(() =>
      expect(feeds.every((feed) => statuses(feed).join() === 'PLACED,ACCEPTED')).toBe(true),
    );
    const after = await counters();

    // Once per selection and person in each router process: with workers (`ROUTER_WORKERS`,
    // one by default), each resolves the event for the connections it holds.
    const executions = after.payloadExecutions - before.payloadExecutions;
    expect(executions).toBeGreaterThanOrEqual(2);
    expect(executions).toBeLessThanOrEqual(2 * routerWorkers);
    expect(after.liveSubgraphRequests - before.liveSubgraphRequests).toBe(executions * perEvent);
  });

  it('gives a client that reconnects with its last cursor every event it missed, then live ones', async () => {
    const orderId = await placeOrder();
    const first = connect('customer');
    const before = first.subscribe<StatusEvent>(statusFeed, { id: orderId });
    await eventually(() => expect(statuses(before)).toEqual(['PLACED']));
    const cursor = before.results[0]!.data!.orderStatusChanged.cursor;
    await first[Symbol.asyncDispose]();

    // Three changes while the client is away.
    await kitchen('acceptOrder', orderId);
    await kitchen('startCooking', orderId);
    await kitchen('finishCooking', orderId);
    await eventually(async () => {
      const { data } = await gql<{ order: { status: string } }>(
        token.customer!,
        `{ order(id: "${orderId}") { status } }`,
      );
      expect(data?.order.status).toBe('READY_FOR_PICKUP');
    });

    const resumed = connect('customer').subscribe<StatusEvent>(statusFeed, {
      id: orderId,
      after: cursor,
    });
    await eventually(() =>
      expect(statuses(resumed)).toEqual(['ACCEPTED', 'COOKING', 'READY_FOR_PICKUP']),
    );
    await claimByRider(orderId);
    await eventually(() =>
      expect(statuses(resumed)).toEqual([
        'ACCEPTED',
        'COOKING',
        'READY_FOR_PICKUP',
        'RIDER_ASSIGNED',
      ]),
    );
  });

  it('reaches subscribers of every router replica', async () => {
    const replica = await stack.startRouter();
    const orderId = await placeOrder();
    const onFirst = connect('customer').subscribe<StatusEvent>(statusFeed, { id: orderId });
    const onSecond = connect('customer', replica.url).subscribe<StatusEvent>(statusFeed, {
      id: orderId,
    });
    await eventually(() =>
      expect([statuses(onFirst), statuses(onSecond)]).toEqual([['PLACED'], ['PLACED']]),
    );

    await kitchen('acceptOrder', orderId);
    await eventually(() =>
      expect([statuses(onFirst), statuses(onSecond)]).toEqual([
        ['PLACED', 'ACCEPTED'],
        ['PLACED', 'ACCEPTED'],
      ]),
    );
    await replica.process.stop();
  });
});

describe('stores and riders, live', () => {
  it("shows a store's owner its new and changed orders", async () => {
    const feed = await subscribed(() =>
      connect('owner').subscribe<{
        storeOrderChanged: { id: string; status: string; items: { name: string }[] };
      }>(
        'subscription { storeOrderChanged(storeId: "store-gangnam-chicken") { id status items { name } } }',
      ),
    );
    const orderId = await placeOrder();
    await eventually(() =>
      expect(feed.results.map((result) => result.data?.storeOrderChanged)).toContainEqual(
        expect.objectContaining({ id: orderId, status: 'PENDING' }),
      ),
    );
    await kitchen('acceptOrder', orderId);
    await eventually(() =>
      expect(
        feed.results
          .filter((result) => result.data?.storeOrderChanged.id === orderId)
          .map((r) => r.data!.storeOrderChanged.status),
      ).toEqual(['PENDING', 'ACCEPTED']),
    );
  });

  it('offers riders the deliveries that become available near them, and no others', async () => {
    // Each rider follows deliveries near where they are: offers are for riders near the store.
    const subscription = (lat: number, lng: number, who = 'rider') =>
      connect(who).subscribe<{
        deliveryAvailable: { id: string; store: { id: string }; pickup: { name: string } };
      }>(
        `subscription { deliveryAvailable(near: { lat: ${lat}, lng: ${lng} }, radiusKm: 2) { id store { id } pickup { name } } }`,
      );
    const gangnam = await subscribed(() => subscription(37.4985, 127.029));
    const hongdae = await subscribed(() => subscription(37.5571, 126.9245, 'hongdaeRider'));

    const inGangnam = await placeOrder();
    for (const step of ['acceptOrder', 'startCooking', 'finishCooking'])
      await kitchen(step, inGangnam);
    await eventually(() =>
      expect(gangnam.results.map((r) => r.data?.deliveryAvailable.store.id)).toContain(
        'store-gangnam-chicken',
      ),
    );

    const inHongdae = await placeOrder('store-hongdae-tteokbokki', 'hongdae-tteokbokki-classic');
    // owner-2 owns the Hongdae store.
    for (const step of ['acceptOrder', 'startCooking', 'finishCooking'])
      await kitchen(step, inHongdae, 'otherOwner');
    await eventually(() => expect(hongdae.results).toHaveLength(1));
    // The first (and only) offer the Hongdae rider got is the Hongdae one: the Gangnam delivery,
    // offered before it, was filtered out.
    expect(hongdae.results[0]!.data!.deliveryAvailable.store.id).toBe('store-hongdae-tteokbokki');
    expect(gangnam.results.map((r) => r.data?.deliveryAvailable.store.id)).not.toContain(
      'store-hongdae-tteokbokki',
    );
  });
});

describe('access', () => {
  it('refuses a connection without a bearer token, with 4401', async () => {
    const client = connect(null);
    expect((await client.closed).code).toBe(4401);
  });

  it('refuses a connection with a bad token, with 4401', async () => {
    token.bad = 'not-a-token';
    expect((await connect('bad').closed).code).toBe(4401);
  });

  it("keeps a customer out of another customer's order, and owners out of other stores", async () => {
    const orderId = await placeOrder();
    const stranger = connect('otherCustomer').subscribe(statusFeed, { id: orderId });
    const otherOwner = connect('otherOwner').subscribe(
      'subscription { storeOrderChanged(storeId: "store-gangnam-chicken") { id } }',
    );
    const customerAsRider = connect('customer').subscribe(
      'subscription { deliveryAvailable(near: { lat: 37.5, lng: 127 }) { id } }',
    );
    await eventually(() => {
      expect(codes(stranger)).toEqual(['FORBIDDEN']);
      expect(codes(otherOwner)).toEqual(['FORBIDDEN']);
      expect(codes(customerAsRider)).toEqual(['FORBIDDEN']);
      // The completion is a message of its own, sent after the refusal.
      for (const subscription of [stranger, otherOwner, customerAsRider])
        expect(subscription.completed).toBe(true);
    });
  });

  it("runs queries and mutations sent over the socket as the connection's person", async () => {
    const orderId = await placeOrder();
    const customer = connect('customer');
    const own = customer.subscribe<{ order: { id: string; status: string } }>(
      'query Own($id: ID!) { order(id: $id) { id status } }',
      { id: orderId },
    );
    const foreign = connect('otherCustomer').subscribe(
      'query Foreign($id: ID!) { order(id: $id) { id } }',
      { id: orderId },
    );
    const notOwner = connect('customer').subscribe(
      `mutation { acceptOrder(input: { orderId: "${orderId}" }) { ticket { status } } }`,
    );
    await eventually(() => {
      expect(own.results.map((result) => result.data?.order)).toEqual([
        { id: orderId, status: 'PLACED' },
      ]);
      expect(codes(foreign)).toEqual(['FORBIDDEN']);
      expect(codes(notOwner)).toEqual(['FORBIDDEN']);
      for (const operation of [own, foreign, notOwner]) expect(operation.completed).toBe(true);
    });
  });

  it('refuses bad arguments by field name', async () => {
    const offGlobe = connect('rider').subscribe(
      'subscription { deliveryAvailable(near: { lat: 95, lng: 0 }) { id } }',
    );
    const badCursor = connect('customer').subscribe(statusFeed, {
      id: await placeOrder(),
      after: 'garbage',
    });
    await eventually(() => {
      expect(offGlobe.results[0]?.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'near.lat',
      });
      expect(badCursor.results[0]?.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'after',
      });
    });
  });

  it('ends the connection when the token expires', async () => {
    const orderId = await placeOrder();
    token.shortLived = await tokenFor({ role: 'CUSTOMER', id: 'customer-1' }, { expiresIn: '3s' });
    const client = connect('shortLived');
    const feed = client.subscribe<StatusEvent>(statusFeed, { id: orderId });
    // Accepted while the token was valid ...
    await eventually(() => expect(statuses(feed)).toEqual(['PLACED']));
    // ... and closed when it expired.
    expect(await client.closed).toEqual({ code: 4401, reason: 'The token has expired.' });
  });

  it('applies the same query limits as over HTTP', async () => {
    const deep = `subscription($id: ID!) { orderStatusChanged(orderId: $id) { order {
      store { menu { store { menu { store { menu { store { menu { store { menu { store { menu { id } } } } } } } } } } } }
    } } }`;
    const overHttp = await gql(
      token.customer!,
      deep
        .replace('subscription', 'query')
        .replace('orderStatusChanged(orderId: $id)', 'orderStatusEvents(orderId: $id)'),
      {
        id: 'x',
      },
    );
    expect(overHttp.errors?.[0]?.message).toMatch(/depth/i);
    const live = connect('customer').subscribe(deep, { id: await placeOrder() });
    await eventually(() =>
      expect(String((live.error as { message?: string }[] | undefined)?.[0]?.message)).toMatch(
        /depth/i,
      ),
    );
  });
});

describe('connections', () => {
  it('pings idle clients to keep the connection alive', async () => {
    const socket = new WebSocket(stack.routerUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(
      JSON.stringify({
        type: 'connection_init',
        payload: { authorization: `Bearer ${token.customer}` },
      }),
    );
    const pinged = new Promise((resolve) => socket.once('ping', resolve));
    await expect(pinged).resolves.toBeDefined();
    socket.close();
  });

  it('drops a client that does not answer pings', async () => {
    const socket = new WebSocket(stack.routerUrl.replace(/^http/, 'ws'), 'graphql-transport-ws', {
      autoPong: false,
    });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(
      JSON.stringify({
        type: 'connection_init',
        payload: { authorization: `Bearer ${token.customer}` },
      }),
    );
    const code = await new Promise<number>((resolve) =>
      socket.once('close', (closeCode: number) => resolve(closeCode)),
    );
    // Terminated, without a close frame.
    expect(code).toBe(1006);
  });

  it('closes sockets with "going away" when a router stops, after draining', async () => {
    const replica = await stack.startRouter();
    const client = connect('customer', replica.url);
    const feed = client.subscribe<StatusEvent>(statusFeed, { id: await placeOrder() });
    await eventually(() => expect(statuses(feed)).toEqual(['PLACED']));
    await replica.process.stop();
    expect((await client.closed).code).toBe(1001);
  });
});
