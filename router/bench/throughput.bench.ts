/**
 * Whole-system throughput: complete order lifecycles (place -> accept -> cook -> ready ->
 * claim -> pick up -> confirm, each step sent when the state it needs has arrived) started
 * at a fixed rate, rising step by step, with live subscribers attached: each customer
 * follows their order (`orderStatusChanged`), the store's owner the store
 * (`storeOrderChanged`), the rider the offers near them (`deliveryAvailable`). A rate is
 * sustained when the p99 of `placeOrder` stays under 200 ms, every lifecycle of the step
 * completes (every event applied) within 15 s of the step's end, and every customer's
 * subscription has received the DELIVERED entry by then (the event pipeline keeps up).
 * Stops at the first rate that is not sustained and prints each step.
 *
 *     npm run bench:throughput [-- --rates 5,10,20,40,60,80,100 --seconds 20]
 */
import { parseArgs } from 'node:util';
import {
  isolatedPrefixes,
  type LiveClient,
  liveClient,
  patientCalls,
  routerClient,
  startStack,
  tokenFor,
} from '@baedal/stack';
import { type LifecycleTimes, runLifecycle, StateWatcher } from './lifecycle.js';
import { summarize } from './support.js';

const { values: options } = parseArgs({
  options: {
    rates: { type: 'string', default: '5,10,20,40,60,80,100' },
    seconds: { type: 'string', default: '20' },
    customers: { type: 'string', default: '200' },
  },
});
const rates = options.rates.split(',').map(Number);
const stepSeconds = Number(options.seconds);
const drainMs = 15_000;
const placeOrderP99LimitMs = 200;

const stack = await startStack({
  ...isolatedPrefixes('bench'),
  ports: 'any',
  dropDatabases: true,
  compiled: true,
  env: { LOG_LEVEL: 'warn', ...patientCalls },
});
const watcher = new StateWatcher(stack);
const sockets: LiveClient[] = [];
try {
  const gql = routerClient(stack.routerUrl);
  const owner = await tokenFor({ role: 'STORE_OWNER', id: 'owner-1' });
  const rider = await tokenFor({ role: 'RIDER', id: 'rider-1' });
  await gql(
    rider,
    'mutation { updateRiderLocation(input: { location: { lat: 37.4985, lng: 127.029 } }) { rider { id } } }',
  );

  // The store's owner and the rider each follow their feed for the whole run.
  const ownerSocket = liveClient(stack.routerUrl, owner);
  const riderSocket = liveClient(stack.routerUrl, rider);
  sockets.push(ownerSocket, riderSocket);
  const storeFeed = ownerSocket.subscribe(
    'subscription { storeOrderChanged(storeId: "store-gangnam-chicken") { id status } }',
  );
  const riderFeed = riderSocket.subscribe(
    'subscription { deliveryAvailable(near: { lat: 37.4985, lng: 127.029 }, radiusKm: 3) { id } }',
  );

  // Customers take turns (each person may start 60 subscriptions a minute); each follows
  // every order of theirs on one socket of their own.
  const customers = await Promise.all(
    Array.from({ length: Number(options.customers) }, async (_, index) => {
      const token = await tokenFor({ role: 'CUSTOMER', id: `bench-customer-${index}` });
      const socket = liveClient(stack.routerUrl, token);
      sockets.push(socket);
      return { token, socket };
    }),
  );
  let turn = 0;

  /** One lifecycle, its customer following the order live; resolves when both are done. */
  const lifecycle = async (): Promise<LifecycleTimes & { liveDelivered: boolean }> => {
    const customer = customers[turn++ % customers.length]!;
    let delivered: () => void = () => {};
    const liveDelivered = new Promise<void>((resolve) => {
      delivered = resolve;
    });
    let unsubscribe = () => {};
    const times = await runLifecycle(
      gql,
      { customer: customer.token, owner, rider },
      watcher,
      (orderId) => {
        const feed = customer.socket.subscribe<{
          orderStatusChanged: { entry: { status: string } };
        }>(
          'subscription($id: ID!) { orderStatusChanged(orderId: $id) { cursor entry { status at } order { status } } }',
          { id: orderId },
        );
        unsubscribe = feed.unsubscribe;
        feed.onResult = (result) => {
          if (result.data?.orderStatusChanged.entry.status === 'DELIVERED') delivered();
        };
      },
    );
    const arrived = await Promise.race([
      liveDelivered.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), drainMs)),
    ]);
    unsubscribe();
    return { ...times, liveDelivered: arrived };
  };

  // Warm up, off the record.
  await Promise.all(Array.from({ length: 5 }, lifecycle));

  const steps: Record<string, unknown>[] = [];
  let sustained = 0;
  for (const rate of rates) {
    const runs: Promise<Awaited<ReturnType<typeof lifecycle>> | Error>[] = [];
    const count = rate * stepSeconds;
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      runs.push(lifecycle().catch((error: Error) => error));
    }
    const stepEnd = performance.now();
    const outcomes = await Promise.race([
      Promise.all(runs),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), drainMs + 120_000)),
    ]);
    const done = (outcomes ?? []).filter(
      (outcome): outcome is Awaited<ReturnType<typeof lifecycle>> => !(outcome instanceof Error),
    );
    const failed = outcomes ? outcomes.length - done.length : count;
    const lateMs = Math.max(0, ...done.map((outcome) => start + outcome.totalMs - stepEnd));
    const placeOrder = summarize(done.map((outcome) => outcome.placeOrderMs));
    const lifecycleMs = summarize(done.map((outcome) => outcome.totalMs));
    const liveMissing = done.filter((outcome) => !outcome.liveDelivered).length;
    const ok =
      failed === 0 &&
      placeOrder.p99 < placeOrderP99LimitMs &&
      lateMs <= drainMs &&
      liveMissing === 0;
    steps.push({
      'rate /s': rate,
      achieved: Math.round((count / ((stepEnd - start) / 1000)) * 10) / 10,
      'placeOrder p50': placeOrder.median,
      'placeOrder p99': placeOrder.p99,
      'lifecycle p50 s': Math.round(lifecycleMs.median / 100) / 10,
      'lifecycle p99 s': Math.round(lifecycleMs.p99 / 100) / 10,
      'drained after s': Math.round(lateMs / 100) / 10,
      failed,
      'live missing': liveMissing,
      sustained: ok,
    });
    console.table(steps.slice(-1));
    if (!ok) break;
    sustained = rate;
  }
  console.log(
    `Lifecycles started at each rate for ${stepSeconds} s (${customers.length} customers following their orders live, the owner and the rider their feeds; store feed ${storeFeed.results.length} messages, rider feed ${riderFeed.results.length})`,
  );
  console.table(steps);
  console.log(
    `Highest rate sustained: ${sustained} lifecycles/s (p99 placeOrder < ${placeOrderP99LimitMs} ms, every lifecycle and live DELIVERED within ${drainMs / 1000} s of the step's end)`,
  );
} finally {
  await Promise.all(sockets.map((socket) => socket[Symbol.asyncDispose]()));
  await watcher[Symbol.asyncDispose]();
  await stack[Symbol.asyncDispose]();
}
