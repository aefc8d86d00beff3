/**
 * What the subgraphs spend per operation: SQL statements and CPU time of each subgraph
 * process, read from its `/metrics` (`baedal_<subgraph>_db_statements_total`,
 * `…_process_cpu_seconds_total`) before and after each phase, on a stack of its own started
 * as `npm start` starts it:
 *
 * - the full-order query (order + payment + kitchen ticket + delivery + rider), a few at a
 *   time;
 * - an order's whole life (place -> accept -> cook -> ready -> claim -> pick up -> confirm,
 *   until every event of it is applied), a few orders at a time; the event handling and the
 *   relays' publishing it causes count too.
 *
 * The subgraphs' idle work (relays polling, jobs) is measured first and taken off each phase.
 * Prints a table, and the same as one JSON line (`--json`) for comparing runs.
 *
 *     npm run bench:subgraphs [-- --queries 300 --lifecycles 60 --concurrency 4]
 */
import { parseArgs } from 'node:util';
import { isolatedPrefixes, patientCalls, routerClient, startStack, tokenFor } from '@baedal/stack';
import { fullOrderQuery, runLifecycle, StateWatcher } from './lifecycle.js';

const { values: options } = parseArgs({
  options: {
    queries: { type: 'string', default: '300' },
    lifecycles: { type: 'string', default: '60' },
    concurrency: { type: 'string', default: '4' },
    json: { type: 'boolean', default: false },
  },
});
const queries = Number(options.queries);
const lifecycles = Number(options.lifecycles);
const concurrency = Number(options.concurrency);

const subgraphs = ['order', 'payment', 'kitchen', 'delivery'] as const;
type Subgraph = (typeof subgraphs)[number];
type Sample = Record<Subgraph, { cpuSeconds: number; statements: number }>;

const stack = await startStack({
  ...isolatedPrefixes('bench'),
  ports: 'any',
  dropDatabases: true,
  compiled: true,
  env: { LOG_LEVEL: 'warn', ...patientCalls },
});
const watcher = new StateWatcher(stack);
try {
  const gql = routerClient(stack.routerUrl);
  const roles = {
    customer: await tokenFor({ role: 'CUSTOMER', id: 'customer-1' }),
    owner: await tokenFor({ role: 'STORE_OWNER', id: 'owner-1' }),
    rider: await tokenFor({ role: 'RIDER', id: 'rider-1' }),
  };
  await gql(
    roles.rider,
    'mutation { updateRiderLocation(input: { location: { lat: 37.4985, lng: 127.029 } }) { rider { id } } }',
  );

  const sample = async (): Promise<Sample> =>
    Object.fromEntries(
      await Promise.all(
        subgraphs.map(async (name) => {
          const text = await (
            await fetch(stack.urls[name].replace(/\/graphql$/, '/metrics'))
          ).text();
          const value = (metric: string) =>
            Number(new RegExp(`^baedal_${name}_${metric} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
          return [
            name,
            {
              cpuSeconds: value('process_cpu_seconds_total'),
              statements: value('db_statements_total'),
            },
          ] as const;
        }),
      ),
    ) as Sample;

  /** Per operation: each subgraph's statements and CPU ms, less its idle work meanwhile. */
  const perOperation = async (count: number, work: () => Promise<void>) => {
    const before = await sample();
    const start = performance.now();
    await work();
    const seconds = (performance.now() - start) / 1000;
    const after = await sample();
    return Object.fromEntries(
      subgraphs.map((name) => [
        name,
        {
          statements: round(
            (after[name].statements - before[name].statements - idle[name].statements * seconds) /
              count,
          ),
          cpuMs: round(
            ((after[name].cpuSeconds - before[name].cpuSeconds - idle[name].cpuSeconds * seconds) *
              1000) /
              count,
          ),
        },
      ]),
    ) as Record<Subgraph, { statements: number; cpuMs: number }>;
  };

  /** Runs `count` lifecycles, `concurrency` at a time. */
  const lifecycleBatch = async (count: number) => {
    let next = 0;
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          next++;
          ids.push((await runLifecycle(gql, roles, watcher)).orderId);
        }
      }),
    );
    return ids;
  };

  // Warm up (every code path compiled, pools filled), then let the events settle.
  const [orderId] = await lifecycleBatch(Math.max(concurrency, 8));
  for (let i = 0; i < 20; i++) await fullOrder(orderId!);
  // On a busy machine the warm-up's last events take a while: they must not count as idle.
  await new Promise((resolve) => setTimeout(resolve, 15_000));

  // The subgraphs' idle work per second (relays polling, jobs), taken off every phase.
  const idleSeconds = 10;
  const idleBefore = await sample();
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const idleAfter = await sample();
  const idle = Object.fromEntries(
    subgraphs.map((name) => [
      name,
      {
        statements: (idleAfter[name].statements - idleBefore[name].statements) / idleSeconds,
        cpuSeconds: (idleAfter[name].cpuSeconds - idleBefore[name].cpuSeconds) / idleSeconds,
      },
    ]),
  ) as Record<Subgraph, { statements: number; cpuSeconds: number }>;

  const fullOrderCost = await perOperation(queries, async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < queries) await fullOrder(orderId!);
      }),
    );
  });
  const lifecycleCost = await perOperation(lifecycles, async () => {
    await lifecycleBatch(lifecycles);
    // The last events (order.delivered's effects) are applied; let the relays mark them.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  });

  const total = (cost: typeof fullOrderCost) => ({
    statements: round(subgraphs.reduce((sum, name) => sum + cost[name].statements, 0)),
    cpuMs: round(subgraphs.reduce((sum, name) => sum + cost[name].cpuMs, 0)),
  });
  const rows = (label: string, cost: typeof fullOrderCost) =>
    Object.fromEntries(
      [...subgraphs, 'total' as const].map((name) => {
        const { statements, cpuMs } = name === 'total' ? total(cost) : cost[name];
        return [`${label}: ${name}`, { statements, 'CPU ms': cpuMs }];
      }),
    );
  console.log(
    `Subgraph cost per operation (${queries} full-order queries and ${lifecycles} lifecycles, ${concurrency} at a time; idle work taken off)`,
  );
  console.table({
    ...rows('full-order query', fullOrderCost),
    ...rows('lifecycle', lifecycleCost),
  });
  console.table(
    Object.fromEntries(
      subgraphs.map((name) => [
        `idle: ${name}`,
        {
          'statements/s': round(idle[name].statements),
          'CPU ms/s': round(idle[name].cpuSeconds * 1000),
        },
      ]),
    ),
  );
  if (options.json)
    console.log(JSON.stringify({ fullOrder: fullOrderCost, lifecycle: lifecycleCost, idle }));

  async function fullOrder(id: string) {
    const response = await gql(roles.customer, fullOrderQuery, { id });
    if (response.errors) throw new Error(JSON.stringify(response.errors));
  }
} finally {
  await watcher[Symbol.asyncDispose]();
  await stack[Symbol.asyncDispose]();
}

function round(value: number) {
  return Math.round(value * 100) / 100;
}
