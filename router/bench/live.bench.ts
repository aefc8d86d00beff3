/**
 * Subscriptions at one router, on a stack of its own started as `npm start` starts it:
 *
 * 1. Latency. 1,000 subscribers (one connection each) follow one order through six changes
 *    (accept, cook, ready, claim, pick up, confirm), three orders in a row. For each delivery:
 *    - router share: from the `order.status-changed` entry's arrival in Redis (its stream
 *      id) to the client; this is the router's work: read, resolve through the gateway, fan
 *      out, plus the clients' own (one process reads the thousand sockets), so the router's
 *      histogram of the same (`baedal_router_live_delivery_seconds`) is printed beside it;
 *    - end to end: from the change itself (the timeline entry's `at`, when the kitchen or the
 *      delivery subgraph committed it) to the client, across relays, streams and consumers.
 * 2. Memory. A fresh router's resident and heap memory before and after 10,000 idle
 *    subscriptions (one connection each), from its /metrics.
 *
 * Ends with both against the goals: router share p99 at most 50 ms, under 300 MiB resident.
 *
 *     npm run bench                                                  # all the router's benches
 *     npx tsx --conditions=@baedal/source router/bench/live.bench.ts  # this one
 */
import { eventStream } from '@baedal/event-bus';
import {
  isolatedPrefixes,
  type LiveClient,
  liveClient,
  placeDemoOrder,
  routerClient,
  startStack,
  tokenFor,
} from '@baedal/stack';
import { Redis } from 'ioredis';
import { claimDelivery, must, readyForPickup, summarize, until } from './support.js';

const subscribers = 1000;
const orders = 3;
const idleSubscriptions = 10_000;
const openingBatch = 100;

interface StatusEvent {
  orderStatusChanged: {
    entry: { seq: number; status: string; at: string };
    order: { status: string };
  };
}
const feed = `subscription($id: ID!) { orderStatusChanged(orderId: $id) { cursor entry { seq status at } order { status } } }`;

const stack = await startStack({
  ...isolatedPrefixes('bench'),
  ports: 'any',
  dropDatabases: true,
  compiled: true,
  env: {
    LOG_LEVEL: 'warn',
    // Every subscriber here is the same customer: the limits per person would refuse most.
    LIVE_MAX_CONNECTIONS: '20000',
    LIVE_MAX_CONNECTIONS_PER_PERSON: '20000',
    LIVE_MAX_SUBSCRIPTIONS_PER_PERSON: '20000',
    LIVE_MAX_NEW_SUBSCRIPTIONS_PER_MINUTE: '100000',
  },
});
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const clients: LiveClient[] = [];
try {
  const gql = routerClient(stack.routerUrl);
  const customer = await tokenFor({ role: 'CUSTOMER', id: 'customer-1' });
  const owner = await tokenFor({ role: 'STORE_OWNER', id: 'owner-1' });
  const rider = await tokenFor({ role: 'RIDER', id: 'rider-1' });
  await gql(
    rider,
    'mutation { updateRiderLocation(input: { location: { lat: 37.4985, lng: 127.029 } }) { rider { id } } }',
  );

  const routerShare: number[] = [];
  /** The router's share by change (timeline status). */
  const routerShareByChange = new Map<string, number[]>();
  const endToEnd: number[] = [];
  const openingSeconds: number[] = [];
  for (let run = 0; run < orders; run++) {
    const orderId = await placeDemoOrder(gql, customer);
    const arrivals: { seq: number; status: string; at: string; receivedAt: number }[] = [];
    let currentStates = 0;
    const openingStarted = performance.now();
    const connections: LiveClient[] = [];
    // In batches: on a busy machine, a thousand sockets opened at once are not all signed in
    // within graphql-ws's 3 s, and this measures the fan-out, not the opening burst.
    for (let batch = 0; batch < subscribers / openingBatch; batch++) {
      const opened = Array.from({ length: openingBatch }, () =>
        liveClient(stack.routerUrl, customer),
      );
      connections.push(...opened);
      clients.push(...opened);
      for (const client of opened) {
        const subscription = client.subscribe<StatusEvent>(feed, { id: orderId });
        subscription.onResult = (result) => {
          const entry = result.data?.orderStatusChanged.entry;
          if (!entry) return;
          if (entry.seq <= 2) currentStates += 1;
          else arrivals.push({ ...entry, receivedAt: Date.now() });
        };
      }
      // Every subscriber has the order as it is now (PLACED) before the changes start.
      await until(() => currentStates === connections.length, 'the current state');
    }
    openingSeconds.push((performance.now() - openingStarted) / 1000);

    await readyForPickup(gql, owner, orderId);
    const deliveryId = await claimDelivery(gql, { customer, rider }, orderId);
    await until(
      async () => arrivals.filter((a) => a.seq === 6).length === subscribers,
      'RIDER_ASSIGNED',
    );
    await must(
      gql,
      rider,
      `mutation { pickUpDelivery(input: { deliveryId: "${deliveryId}" }) { delivery { id } } }`,
    );
    await until(
      async () => arrivals.filter((a) => a.seq === 7).length === subscribers,
      'PICKED_UP',
    );
    await must(
      gql,
      customer,
      `mutation { confirmDelivery(input: { orderId: "${orderId}" }) { order { status } } }`,
    );
    await until(() => arrivals.length === 6 * subscribers, 'every delivery');

    // When each status-changed event reached Redis: its stream entry id is milliseconds.
    const streamed = new Map<number, number>();
    for (const [id, fields] of await redis.xrange(
      eventStream(stack.streamPrefix, 'order'),
      '-',
      '+',
    )) {
      const event = JSON.parse(fields[fields.indexOf('envelope') + 1]!);
      if (event.type === 'order.status-changed' && event.correlationId === orderId) {
        streamed.set(event.payload.seq, Number(id.split('-')[0]));
      }
    }
    for (const arrival of arrivals) {
      const share = arrival.receivedAt - streamed.get(arrival.seq)!;
      routerShare.push(share);
      const byStatus = routerShareByChange.get(arrival.status) ?? [];
      byStatus.push(share);
      routerShareByChange.set(arrival.status, byStatus);
      endToEnd.push(arrival.receivedAt - Date.parse(arrival.at));
    }
    await Promise.all(connections.map((client) => client[Symbol.asyncDispose]()));
    clients.length = 0;
  }

  console.log(
    `Event to client, ${subscribers} subscribers of one order on one router, ${orders} orders x 6 changes (ms)`,
  );
  const share = summarize(routerShare);
  console.table({
    'router share (in Redis -> client)': share,
    'end to end (change committed -> client)': summarize(endToEnd),
  });
  console.log(
    'Router share by change (ms): the first four follow one another as fast as the mutations go; pickup and confirmation each wait until every subscriber has the change before',
  );
  console.table(
    Object.fromEntries(
      [...routerShareByChange].map(([status, samples]) => [status, summarize(samples)]),
    ),
  );
  const routerSide = await deliveryHistogram(stack.metricsUrl);
  console.log(
    `The router's own view (baedal_router_live_delivery_seconds, from an event read to its result handed to each socket): ${routerSide.deliveries} deliveries, ${(routerSide.within50ms * 100).toFixed(1)}% within 50 ms, p99 at most ${routerSide.p99AtMostMs} ms`,
  );
  console.log(
    `Opening ${subscribers} subscriptions, ${openingBatch} at a time (connect, sign in, first answer each): ${openingSeconds.map((s) => `${s.toFixed(1)} s`).join(', ')}`,
  );

  // Memory with idle subscriptions, on a fresh router replica (a clean baseline).
  const replica = await stack.startRouter();
  const memory = async () => {
    const text = await (await fetch(replica.metricsUrl)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);
    return {
      rssMiB: value('baedal_router_process_resident_memory_bytes') / 2 ** 20,
      heapUsedMiB: value('baedal_router_nodejs_heap_size_used_bytes') / 2 ** 20,
      subscriptions: value('baedal_router_live_subscriptions'),
    };
  };
  const idleOrderId = await placeDemoOrder(gql, customer);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const idle = await memory();
  for (let batch = 0; batch < idleSubscriptions / openingBatch; batch++) {
    const connections = Array.from({ length: openingBatch }, () =>
      liveClient(replica.url, customer),
    );
    clients.push(...connections);
    for (const client of connections) client.subscribe(feed, { id: idleOrderId });
    await until(
      async () => (await memory()).subscriptions >= (batch + 1) * openingBatch,
      'idle subscriptions',
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const loaded = await memory();
  console.log(
    `Router memory with ${idleSubscriptions.toLocaleString('en')} idle subscriptions, one connection each (MiB)`,
  );
  const round = (n: number) => Math.round(n * 10) / 10;
  console.table({
    before: {
      rss: round(idle.rssMiB),
      heapUsed: round(idle.heapUsedMiB),
      subscriptions: idle.subscriptions,
    },
    after: {
      rss: round(loaded.rssMiB),
      heapUsed: round(loaded.heapUsedMiB),
      subscriptions: loaded.subscriptions,
    },
    'per subscription (KiB)': {
      rss: round(((loaded.rssMiB - idle.rssMiB) * 1024) / idleSubscriptions),
      heapUsed: round(((loaded.heapUsedMiB - idle.heapUsedMiB) * 1024) / idleSubscriptions),
      subscriptions: idleSubscriptions,
    },
  });
  console.log(
    `Goals: router share p99 ${share.p99} ms as the clients see it, at most ${routerSide.p99AtMostMs} ms as the router does (at most 50 ms); ${idleSubscriptions.toLocaleString('en')} idle subscriptions ${round(loaded.rssMiB)} MiB resident (under 300 MiB)`,
  );
} finally {
  await Promise.all(clients.map((client) => client[Symbol.asyncDispose]()));
  redis.disconnect();
  await stack[Symbol.asyncDispose]();
}

/**
 * The router's delivery histogram: how many deliveries, the share within 50 ms, and the
 * bucket bound its p99 falls under. The clients' figures add their own work: a thousand
 * sockets read by one process on the router's two cores.
 */
async function deliveryHistogram(metricsUrl: string) {
  const text = await (await fetch(metricsUrl)).text();
  const buckets = [
    ...text.matchAll(/^baedal_router_live_delivery_seconds_bucket\{le="([^"]+)"\} (\S+)/gm),
  ].map(([, le, count]) => ({ seconds: Number(le), count: Number(count) }));
  const total = buckets.at(-1)!.count;
  return {
    deliveries: total,
    within50ms: buckets.find((bucket) => bucket.seconds === 0.05)!.count / total,
    p99AtMostMs: buckets.find((bucket) => bucket.count >= 0.99 * total)!.seconds * 1000,
  };
}
