/**
 * How fast people hear of each other live, on a stack of its own started as `npm start`
 * starts it, with no other load (100 samples each, after 10 warm-up ones):
 *
 * 1. customer → store: from sending `placeOrder` to the order's kitchen ticket arriving in
 *    the store owner's `storeOrderChanged` feed (pay, relay, kitchen consumer, relay, router);
 * 2. store → customer: from the owner sending `acceptOrder` to the ACCEPTED entry arriving in
 *    the customer's `orderStatusChanged` feed (kitchen, relay, order consumer, relay, router).
 *
 *     npm run bench
 */
import { gangnamChicken, isolatedPrefixes, Journey, liveClient, startStack } from '@baedal/stack';
import { summarize } from './support.js';

const samples = 100;
const warmUp = 10;

const stack = await startStack({
  ...isolatedPrefixes('bench'),
  ports: 'any',
  dropDatabases: true,
  compiled: true,
  // One customer subscribes to each of the 110 orders in turn: above the default rate per person.
  env: { LOG_LEVEL: 'warn', LIVE_MAX_NEW_SUBSCRIPTIONS_PER_MINUTE: '1000' },
});
try {
  const journey = await Journey.start(stack.routerUrl);
  const ownerLive = liveClient(stack.routerUrl, journey.token('owner'));
  const customerLive = liveClient(stack.routerUrl, journey.token('customer'));

  // Arrival times of tickets in the store's feed, by order id.
  const ticketArrived = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const storeFeed = ownerLive.subscribe<{ storeOrderChanged: { id: string; status: string } }>(
    'subscription($id: ID!) { storeOrderChanged(storeId: $id) { id status } }',
    { id: gangnamChicken.id },
  );
  storeFeed.onResult = (result) => {
    const ticket = result.data?.storeOrderChanged;
    if (ticket?.status !== 'PENDING') return;
    ticketArrived.set(ticket.id, performance.now());
    waiters.get(ticket.id)?.();
  };
  const ticketOf = (orderId: string) =>
    ticketArrived.has(orderId)
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.set(orderId, resolve));
  // The store feed is live only: the first order proves it follows.
  await ticketOf((await journey.placed()).id);

  const toStore: number[] = [];
  const toCustomer: number[] = [];
  for (let i = 0; i < warmUp + samples; i++) {
    const placedAt = performance.now();
    const order = await journey.placed();
    await ticketOf(order.id);
    if (i >= warmUp) toStore.push(ticketArrived.get(order.id)! - placedAt);

    const feed = customerLive.subscribe<{
      orderStatusChanged: { entry: { status: string } };
    }>('subscription($id: ID!) { orderStatusChanged(orderId: $id) { entry { status } } }', {
      id: order.id,
    });
    await journey.waitFor(async () => feed.results.length > 0 || undefined, 'the first payload');
    let acceptedAt = 0;
    const heard = new Promise<void>((resolve) => {
      feed.onResult = (result) => {
        if (result.data?.orderStatusChanged.entry.status !== 'ACCEPTED') return;
        acceptedAt = performance.now();
        resolve();
      };
    });
    const sentAt = performance.now();
    await journey.kitchen('acceptOrder', order.id);
    await heard;
    feed.unsubscribe();
    if (i >= warmUp) toCustomer.push(acceptedAt - sentAt);
  }

  console.log(`Live flow latency (ms, ${samples} samples after ${warmUp} warm-up, no other load)`);
  console.table({
    'placeOrder → ticket in the store feed': summarize(toStore),
    'acceptOrder → entry in the customer feed': summarize(toCustomer),
  });
  await ownerLive[Symbol.asyncDispose]();
  await customerLive[Symbol.asyncDispose]();
} finally {
  await stack[Symbol.asyncDispose]();
}
