/**
 * One person's burst of subscriptions against another person's queries, on a stack of its
 * own started as `npm start` starts it, with the router's default live limits.
 *
 * A customer reads their order through the router, one request after the other, all along.
 * Each of ten rounds first samples these reads with the router otherwise idle ("normal"),
 * then while a rider (a fresh one each round, all from one process of their own) opens 20 sockets and
 * sends 2,000 subscriptions over those the router accepts, all at once, until the router has
 * refused or opened every one, or cut the rider off ("burst"). Normal and burst samples
 * alternate, so that both see the same load from whatever else runs on the machine. The
 * attacker shares the machine's two cores: what its own work costs is printed beside what
 * the burst cost the router. A first, unmeasured burst warms the code of both.
 *
 * The burst's p99 should exceed the normal median by no more than the normal p99.
 *
 *     npm run bench
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import {
  isolatedPrefixes,
  placeDemoOrder,
  routerClient,
  startStack,
  tokenFor,
} from '@baedal/stack';
import { summarize, time } from './support.js';

const rounds = 10;
const normalSamplesPerRound = 50;
const burst = {
  sockets: 20,
  subscriptions: 2000,
  query: 'subscription { deliveryAvailable(near: { lat: 37.5, lng: 127.03 }, radiusKm: 3) { id } }',
};

const stack = await startStack({
  ...isolatedPrefixes('burst'),
  ports: 'any',
  dropDatabases: true,
  compiled: true,
  env: { LOG_LEVEL: 'warn' },
});
try {
  const gql = routerClient(stack.routerUrl);
  const customer = await tokenFor({ role: 'CUSTOMER', id: 'customer-1' });
  const orderId = await placeDemoOrder(gql, customer);
  const readOrder = `{ order(id: "${orderId}") { id status totalWon } }`;
  /** The customer's read, timed; a refusal is not a fast answer. */
  const read = () =>
    time(async () => {
      const { errors } = await gql(customer, readOrder);
      if (errors) throw new Error(JSON.stringify(errors));
    });
  const metric = async (pattern: RegExp) => {
    const text = await (await fetch(stack.metricsUrl)).text();
    return text
      .split('\n')
      .filter((line) => pattern.test(line))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  };
  const liveRequests = () => metric(/^baedal_router_subgraph_requests_total\{.*origin="live"/);
  const subscriptions = () => metric(/^baedal_router_live_subscriptions /);
  const routerCpuSeconds = () => metric(/^baedal_router_process_cpu_seconds_total /);

  // One attacker process for every burst, loaded before the first.
  const attacker = startAttacker();
  await once(attacker, 'message');
  /** One burst of a fresh rider, and the reads made meanwhile. */
  const attack = async (rider: string) => {
    // Connected before the burst: only the burst is measured.
    attacker.send({
      url: stack.routerUrl,
      metricsUrl: stack.metricsUrl,
      token: await tokenFor({ role: 'RIDER', id: rider }),
      sockets: burst.sockets,
      subscriptions: burst.subscriptions,
      query: burst.query,
    });
    await once(attacker, 'message');

    const requestsBefore = await liveRequests();
    const cpuBefore = await routerCpuSeconds();
    const reads: number[] = [];
    let bursting = true;
    const measuring = (async () => {
      while (bursting) reads.push(await read());
    })();
    attacker.send('burst');
    const [{ outcome }] = (await once(attacker, 'message')) as [
      { outcome: Record<string, number> },
    ];
    // Accepted subscriptions open one at a time, each with a query through the gateway.
    while (outcome.accepted! > 0 && (await liveRequests()) - requestsBefore < outcome.accepted!) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    bursting = false;
    await measuring;
    const cpuMs = Math.round(((await routerCpuSeconds()) - cpuBefore) * 1000);
    attacker.send('close');
    await once(attacker, 'message');
    while ((await subscriptions()) > 0) await new Promise((resolve) => setTimeout(resolve, 250));
    return { reads, outcome: { ...outcome, 'router CPU ms (with the reads)': cpuMs } };
  };

  // Warm-up, of the reads and of a burst.
  for (let i = 0; i < 50; i++) await read();
  await attack('rider-burst-warm-up');
  const normal: number[] = [];
  const during: number[] = [];
  const outcomes: Record<string, number>[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < normalSamplesPerRound; i++) normal.push(await read());
    const { reads, outcome } = await attack(`rider-burst-${round}`);
    during.push(...reads);
    outcomes.push(outcome);
  }
  attacker.send('exit');

  const normalStats = summarize(normal);
  const burstStats = summarize(during);
  console.log(
    `A customer's order read, normal and during a burst of ${burst.subscriptions.toLocaleString('en')} subscriptions from one rider over ${burst.sockets} sockets (${rounds} rounds, ms)`,
  );
  console.table({ normal: normalStats, 'during a burst': burstStats });
  console.log('What became of each burst:');
  console.table(outcomes);
  const delay = burstStats.p99 - normalStats.median;
  console.log(
    `p99 during a burst: ${delay.toFixed(1)} ms over the normal median; normal p99 ${normalStats.p99} ms over it: ${(normalStats.p99 - normalStats.median).toFixed(1)} ms (${delay <= normalStats.p99 ? 'within' : 'NOT within'} the normal p99).`,
  );
} finally {
  await stack[Symbol.asyncDispose]();
}

function startAttacker(): ChildProcess {
  const entry = fileURLToPath(new URL('./burst-attacker.ts', import.meta.url));
  return fork(entry, { execArgv: ['--conditions=@baedal/source', '--import', 'tsx'] });
}
