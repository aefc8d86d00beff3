/**
 * How fast each consuming subgraph works through a backlog: 10,000 events of distinct orders
 * are appended to the streams it reads all at once (as when it comes back after an outage),
 * and the clock runs until its consumer group has applied and acknowledged every one. The
 * events are the real ones, applied by the real handlers, on a stack of its own started as
 * `npm start` starts it:
 *
 * - kitchen: `order.placed` (a ticket each);
 * - delivery: `kitchen.order.ready-for-pickup` (a delivery each); the order subgraph, which
 *   also reads these, sits this one out and then skips them: they name orders it never saw;
 * - order: accepted, cooking started, rider assigned and picked up, for 2,500 orders placed
 *   through the router first (a timeline entry and a status event each).
 *
 *     npm run bench:events -w @baedal/router
 *
 * BACKLOG_EVENTS=2000 makes a quicker run; BACKLOG_SUBGRAPHS=kitchen,order runs only those.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  cookingStarted,
  orderAccepted,
  orderPickedUp,
  orderPlaced,
  orderReadyForPickup,
  riderAssigned,
} from '@baedal/contracts';
import { type EventEnvelope, eventStream, publishEvent } from '@baedal/event-bus';
import {
  isolatedPrefixes,
  placeDemoOrder,
  routerClient,
  startStack,
  tokenFor,
} from '@baedal/stack';
import { Redis } from 'ioredis';

const backlog = Number(process.env.BACKLOG_EVENTS ?? 10_000);
const subgraphs = (process.env.BACKLOG_SUBGRAPHS ?? 'kitchen,delivery,order').split(',');
const store = {
  storeId: 'store-gangnam-chicken',
  storeOwnerId: 'owner-1',
  pickup: {
    name: 'Gangnam Chicken',
    address: 'Gangnam',
    location: { lat: 37.4979, lng: 127.0276 },
  },
};
const dropoff = { address: '152 Teheran-ro', location: { lat: 37.5006, lng: 127.0364 } };

const stack = await startStack({
  ...isolatedPrefixes('bench'),
  ports: 'any',
  dropDatabases: true,
  compiled: true,
  env: { LOG_LEVEL: 'warn' },
});
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
try {
  const results: Record<string, Record<string, number | string>> = {};
  const measure = async (group: 'kitchen' | 'delivery' | 'order', events: EventEnvelope[]) => {
    const streams = [
      ...new Set(events.map((event) => eventStream(stack.streamPrefix, event.producer))),
    ];
    const started = performance.now();
    await Promise.all(events.map((event) => publishEvent(redis, stack.streamPrefix, event)));
    // However long it takes (a slow consumer takes many minutes); no deadline.
    for (;;) {
      const done = await Promise.all(streams.map((stream) => drained(stream, group)));
      if (done.every(Boolean)) break;
      await sleep(200);
    }
    const seconds = (performance.now() - started) / 1000;
    results[group] = {
      events: events.length,
      seconds: Math.round(seconds * 10) / 10,
      'events/s': Math.round(events.length / seconds),
      // Attempts that failed and were retried, and dead letters (where a subgraph reports them).
      'failed attempts': (await metric(stack.urls[group], 'baedal_events_failed_total')) ?? '-',
      'dead letters': (await metric(stack.urls[group], 'baedal_events_dead_letters')) ?? '-',
    };
    console.log(`${group}: ${events.length} events in ${seconds.toFixed(1)} s`);
  };

  if (subgraphs.includes('kitchen'))
    await measure(
      'kitchen',
      Array.from({ length: backlog }, () =>
        orderPlaced.create(
          {
            orderId: randomUUID(),
            customerId: 'customer-1',
            storeId: store.storeId,
            items: [
              {
                menuItemId: 'gangnam-chicken-fried',
                name: 'Fried chicken',
                quantity: 1,
                unitPriceWon: 18000,
              },
            ],
            express: false,
            subtotalWon: 18000,
            deliveryFeeWon: 3000,
            expressFeeWon: 0,
            totalWon: 21000,
            deliveryAddress: dropoff,
          },
          { actor: { role: 'CUSTOMER', id: 'customer-1' } },
        ),
      ),
    );

  if (subgraphs.includes('delivery')) {
    await stack.services.order.stop();
    await measure(
      'delivery',
      Array.from({ length: backlog }, () =>
        orderReadyForPickup.create(
          {
            orderId: randomUUID(),
            ...store,
            customerId: 'customer-1',
            dropoff,
            express: false,
            deliveryFeeWon: 3000,
            expressFeeWon: 0,
          },
          { actor: { role: 'STORE_OWNER', id: 'owner-1' } },
        ),
      ),
    );
    await redis.xgroup('SETID', eventStream(stack.streamPrefix, 'kitchen'), 'order', '$');
    await stack.services.order.start();
  }

  if (subgraphs.includes('order')) {
    // The order subgraph applies steps of orders it knows: place them first, through the router.
    const gql = routerClient(stack.routerUrl);
    const customer = await tokenFor({ role: 'CUSTOMER', id: 'customer-1' });
    const orderIds: string[] = [];
    const orders = Math.ceil(backlog / 4);
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (orderIds.length < orders) orderIds.push(await placeDemoOrder(gql, customer));
      }),
    );
    const steps = (orderId: string) => {
      const ticket = { orderId, storeId: store.storeId };
      const delivery = { orderId, deliveryId: randomUUID(), riderId: 'rider-1' };
      const owner = { actor: { role: 'STORE_OWNER', id: 'owner-1' } } as const;
      const rider = { actor: { role: 'RIDER', id: 'rider-1' } } as const;
      return [
        orderAccepted.create(ticket, owner),
        cookingStarted.create(ticket, owner),
        riderAssigned.create(delivery, rider),
        orderPickedUp.create(delivery, rider),
      ];
    };
    // The kitchen finishes taking them in first, so that it does not run beside the measure.
    while (!(await drained(eventStream(stack.streamPrefix, 'order'), 'kitchen'))) await sleep(200);
    // Every order's steps, in order; the orders interleaved as a real backlog would be.
    const perOrder = orderIds.slice(0, orders).map(steps);
    await measure(
      'order',
      perOrder[0]!.flatMap((_, step) => perOrder.map((events) => events[step]!)).slice(0, backlog),
    );
  }

  console.log(`Draining a backlog of ${backlog} events per consuming subgraph`);
  console.table(results);
} finally {
  redis.disconnect();
  await stack[Symbol.asyncDispose]();
}

/** Whether `group` has read every entry of `stream` and acknowledged them all. */
async function drained(stream: string, group: string): Promise<boolean> {
  const info = record((await redis.xinfo('STREAM', stream)) as unknown[]);
  const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  const mine = groups.map(record).find((candidate) => candidate.name === group);
  return mine?.pending === 0 && mine['last-delivered-id'] === info['last-generated-id'];
}

/** A metric of a service's `/metrics`, summed over its labels; undefined without `/metrics`. */
async function metric(graphqlUrl: string, name: string): Promise<number | undefined> {
  const response = await fetch(new URL('/metrics', graphqlUrl));
  if (!response.ok) return undefined;
  const values = (await response.text())
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map((line) => Number(line.split(' ').at(-1)));
  return values.reduce((sum, value) => sum + value, 0);
}

/** Redis replies such as XINFO's are flat [name, value, name, value ...] lists. */
function record(flat: readonly unknown[]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (let i = 0; i < flat.length; i += 2) result[String(flat[i])] = flat[i + 1];
  return result;
}
