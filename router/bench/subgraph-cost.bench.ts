/**
 * What the subgraphs spend per operation: SQL statements and CPU time of each subgraph
 * process, and the GraphQL requests it served and events it applied, read from its
 * `/metrics` (`baedal_<subgraph>_db_statements_total`, `…_process_cpu_seconds_total`,
 * `baedal_graphql_request_duration_seconds`, `baedal_events_applied_total`), and the stream
 * entries its consumer group read (`entries-read` of `XINFO GROUPS`), before and after each
 * phase, on a stack of its own started as `npm start` starts it:
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
import { eventStream, replyRecord } from '@baedal/event-bus';
import { isolatedPrefixes, patientCalls, routerClient, startStack, tokenFor } from '@baedal/stack';
import { Redis } from 'ioredis';
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
/** What a subgraph has done so far (a sample), or what one operation cost it (a cost). */
interface Counts {
  readonly statements: number;
  /** GraphQL requests served. */
  readonly requests: number;
  /** Events applied. */
  readonly events: number;
  /** Stream entries its consumer group read: the ones it applied and the ones it skipped. */
  readonly read: number;
}
type Sample = Record<Subgraph, Counts & { readonly cpuSeconds: number }>;
type Cost = Counts & { readonly cpuMs: number };

const stack = await startStack({
  ...isolatedPrefixes('bench'),
  ports: 'any',
  dropDatabases: true,
  compiled: true,
  env: { LOG_LEVEL: 'warn', ...patientCalls },
});
const watcher = new StateWatcher(stack);
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
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

  /** Stream entries each subgraph's consumer group has read, all streams together. */
  const entriesRead = async () => {
    const read = Object.fromEntries(subgraphs.map((name) => [name, 0])) as Record<Subgraph, number>;
    for (const producer of subgraphs) {
      const groups = (await redis.xinfo(
        'GROUPS',
        eventStream(stack.streamPrefix, producer),
      )) as unknown[][];
      for (const group of groups.map(replyRecord)) {
        const name = group.name as Subgraph;
        if (name in read) read[name] += Number(group['entries-read'] ?? 0);
      }
    }
    return read;
  };
  const sample = async (): Promise<Sample> => {
    const read = await entriesRead();
    return Object.fromEntries(
      await Promise.all(
        subgraphs.map(async (name) => {
          const text = await (
            await fetch(stack.urls[name].replace(/\/graphql$/, '/metrics'))
          ).text();
          const value = (metric: string) =>
            Number(new RegExp(`^baedal_${name}_${metric} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
          /** The sum of a labelled counter's series. */
          const sum = (metric: string) =>
            [...text.matchAll(new RegExp(`^${metric}\\{[^}]*\\} (\\S+)$`, 'gm'))].reduce(
              (total, [, count]) => total + Number(count),
              0,
            );
          return [
            name,
            {
              cpuSeconds: value('process_cpu_seconds_total'),
              statements: value('db_statements_total'),
              requests: sum('baedal_graphql_request_duration_seconds_count'),
              events: sum('baedal_events_applied_total'),
              read: read[name],
            },
          ] as const;
        }),
      ),
    ) as Sample;
  };

  /**
   * Per operation: each subgraph's statements and CPU ms, less its idle work meanwhile, and
   * the GraphQL requests it served, stream entries it read and events it applied (none of
   * which happen while idle).
   */
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
          requests: round((after[name].requests - before[name].requests) / count),
          events: round((after[name].events - before[name].events) / count),
          read: round((after[name].read - before[name].read) / count),
        },
      ]),
    ) as Record<Subgraph, Cost>;
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

  const total = (cost: typeof fullOrderCost): Cost => {
    const sum = (key: keyof Cost) =>
      round(subgraphs.reduce((all, name) => all + cost[name][key], 0));
    return {
      statements: sum('statements'),
      cpuMs: sum('cpuMs'),
      requests: sum('requests'),
      events: sum('events'),
      read: sum('read'),
    };
  };
  const rows = (label: string, cost: typeof fullOrderCost) =>
    Object.fromEntries(
      [...subgraphs, 'total' as const].map((name) => {
        const { statements, cpuMs, requests, events, read } =
          name === 'total' ? total(cost) : cost[name];
        return [
          `${label}: ${name}`,
          {
            statements,
            'CPU ms': cpuMs,
            'GraphQL requests': requests,
            'events read': read,
            'events applied': events,
          },
        ];
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
  redis.disconnect();
  await watcher[Symbol.asyncDispose]();
  await stack[Symbol.asyncDispose]();
}

function round(value: number) {
  return Math.round(value * 100) / 100;
}
