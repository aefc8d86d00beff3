import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startRedisServer } from '@baedal/event-bus/test-servers';
import { isolatedPrefixes, startStack } from '../stack.js';
import { ChaosInspector, judge, type Leftovers, type OrderVerdict } from './chaos-checks.js';
import { CustomerApp, type DrivenOrder, type Plan } from './chaos-customer.js';

/** What the chaos run kills with SIGKILL, one at a time. */
export const faults = [
  'order',
  'payment',
  'kitchen',
  'delivery',
  'router',
  /** Redis without persistence: it comes back empty. */
  'redis-empty',
  /** Redis with an append-only file (`appendfsync everysec`): it comes back from the file. */
  'redis-aof',
] as const;
export type Fault = (typeof faults)[number];

export interface ChaosOptions {
  /** At least this many orders; more if the faults take longer. Default 300. */
  readonly orders?: number;
  /** Orders in flight at once. Default 8. */
  readonly concurrency?: number;
  /** Killed in this order, one at a time. Default every fault. */
  readonly faults?: readonly Fault[];
  /** How long a killed part stays down before it is started again. Default 10 s. */
  readonly downtimeMs?: number;
  /** How long an app retries one step before it gives the order up. Default 120 s. */
  readonly stepTimeoutMs?: number;
  /** How long, after a part is back (and after the last order), the orders have to converge. Default 180 s. */
  readonly convergeTimeoutMs?: number;
  /** Keep the databases afterwards, to look into them. Default false. */
  readonly keepDatabases?: boolean;
  /** Progress lines. Default: none. */
  readonly log?: (line: string) => void;
}

/** One row of the result: the orders in flight while a part was down, and how they ended. */
export interface FaultRow {
  /** A fault, `none` (orders in flight during no fault) or `all`. */
  readonly fault: string;
  readonly orders: number;
  readonly lost: number;
  readonly stuck: number;
  readonly doubleCharged: number;
  /** The median time from placing an order to the end of its journey, for comparison. */
  readonly journeyMs: number;
  /** How long the part was down, from the kill until it answered again. */
  readonly downMs?: number;
  /**
   * From the part answering again until every order in flight during the fault was terminal
   * and consistent in the four databases; null if that never happened.
   */
  readonly convergedMs?: number | null;
}

export interface ChaosReport {
  readonly rows: readonly FaultRow[];
  readonly counts: {
    readonly orders: number;
    readonly acknowledged: number;
    readonly delivered: number;
    readonly canceled: number;
    readonly rejected: number;
    /** Orders whose `placeOrder` never answered, though the app kept trying. */
    readonly unacknowledged: number;
    /** Requests that failed and were sent again. */
    readonly retries: number;
    /** Steps refused because they had been taken already (their answer was lost). */
    readonly foundDone: number;
    /**
     * Events the relays published again because Redis had lost them, since each subgraph
     * last started (`baedal_events_republished_total`).
     */
    readonly republished: number;
    readonly durationMs: number;
  };
  readonly leftovers: Leftovers;
  /** One line for each thing that is wrong. */
  readonly problems: readonly string[];
  readonly ok: boolean;
}

/**
 * The chaos run (`npm run chaos`): starts the stack on free ports with a Redis of its own,
 * drives orders through the router as retrying apps do, kills each part in turn with
 * SIGKILL and starts it again, then waits for the orders to converge and checks the four
 * databases and the streams directly.
 */
export async function runChaos(options: ChaosOptions = {}): Promise<ChaosReport> {
  const {
    orders: target = 300,
    concurrency = 8,
    downtimeMs = 10_000,
    stepTimeoutMs = 120_000,
    convergeTimeoutMs = 180_000,
    log = () => {},
  } = options;
  const schedule = options.faults ?? faults;
  const began = Date.now();

  await using redis = await startRedisServer({ appendOnly: true });
  log(`redis-server on ${redis.url} (append-only file, everysec); starting the stack`);
  const prefixes = isolatedPrefixes('chaos');
  await using stack = await startStack({
    ...prefixes,
    redisUrl: redis.url,
    ports: 'any',
    dropDatabases: !options.keepDatabases,
    env: { LOG_LEVEL: 'error' },
  });
  log(`stack up: router ${stack.routerUrl}, databases ${prefixes.databasePrefix}_*`);
  await using inspector = await ChaosInspector.open(
    stack.databaseUrls,
    redis.url,
    stack.streamPrefix,
  );
  const app = await CustomerApp.start(stack.routerUrl, {
    stepTimeoutMs,
    retryPauseMs: 300,
    requestTimeoutMs: 30_000,
  });

  // The apps: `concurrency` orders in flight until the target is reached and every fault is over.
  const driven: DrivenOrder[] = [];
  const inFlight = new Set<DrivenOrder>();
  const watchers = new Set<Set<DrivenOrder>>();
  let faultsOver = false;
  const plans: Plan[] = ['deliver', 'deliver', 'deliver', 'cancel', 'deliver'];
  const drive = async () => {
    while (driven.length < target || !faultsOver) {
      const index = driven.length;
      const order: DrivenOrder = {
        index,
        plan: index % 10 === 7 ? 'reject' : plans[index % plans.length]!,
        customer: index % 2 === 0 ? 'customer' : 'otherCustomer',
        idempotencyKey: randomUUID(),
        startedAt: Date.now(),
        failures: 0,
        foundDone: 0,
      };
      driven.push(order);
      inFlight.add(order);
      for (const watcher of watchers) watcher.add(order);
      await app.drive(order);
      inFlight.delete(order);
      if (order.outcome === 'gave-up') log(`order ${index}: ${order.note}`);
    }
  };
  const apps = Promise.all(Array.from({ length: concurrency }, drive));

  const converged = async (orders: Iterable<DrivenOrder>, deadline: number) => {
    const ids = [...orders].flatMap((order) => (order.orderId ? [order.orderId] : []));
    for (;;) {
      const facts = await inspector.facts(ids);
      const wrong = [...facts.values()].map(judge).filter(isWrong);
      if (wrong.length === 0) return true;
      if (Date.now() > deadline) return false;
      await sleep(500);
    }
  };

  // Let a few orders through first, so that every fault meets orders at every step.
  while (driven.filter((order) => order.finishedAt).length < concurrency) await sleep(200);

  const touchedBy = new Map<Fault, Set<DrivenOrder>>();
  const timings = new Map<Fault, { downMs: number; convergedMs: number | null }>();
  for (const fault of schedule) {
    const touched = new Set(inFlight);
    watchers.add(touched);
    touchedBy.set(fault, touched);
    const killedAt = Date.now();
    log(`kill -9 ${fault} (${touched.size} orders in flight, ${driven.length} so far)`);
    if (fault === 'redis-empty' || fault === 'redis-aof') await redis.kill();
    else await stack.services[fault].stop('SIGKILL');
    await sleep(downtimeMs);
    if (fault === 'redis-empty' || fault === 'redis-aof')
      await redis.start({ empty: fault === 'redis-empty' });
    else await stack.services[fault].start();
    const backAt = Date.now();
    watchers.delete(touched);
    log(`${fault} back after ${seconds(backAt - killedAt)}; ${touched.size} orders to converge`);
    while ([...touched].some((order) => !order.finishedAt)) await sleep(200);
    const ok = await converged(touched, Date.now() + convergeTimeoutMs);
    const convergedMs = ok ? Date.now() - backAt : null;
    timings.set(fault, { downMs: backAt - killedAt, convergedMs });
    log(
      `${fault}: ${ok ? `converged ${seconds(convergedMs!)} after it was back` : 'did not converge'}`,
    );
  }
  faultsOver = true;
  await apps;
  log(`${driven.length} orders driven; waiting for everything to converge`);

  // Everything: every order ended and consistent, every outbox published, nothing pending.
  const deadline = Date.now() + convergeTimeoutMs;
  let leftovers: Leftovers | undefined;
  for (;;) {
    const allConverged = await converged(driven, Date.now());
    leftovers = await inspector.leftovers().catch(() => leftovers);
    const drained =
      leftovers &&
      Object.values(leftovers.unpublished).every((count) => count === 0) &&
      Object.values(leftovers.pending).every((count) => count === 0);
    if ((allConverged && drained) || Date.now() > deadline) break;
    await sleep(1000);
  }

  // The verdicts.
  const unacknowledged = driven.filter((order) => !order.orderId);
  const byKey = await inspector.ordersByKey(unacknowledged.map((order) => order.idempotencyKey));
  const acknowledged = driven.filter((order) => order.orderId);
  const facts = await inspector.facts(acknowledged.map((order) => order.orderId!));
  const verdicts = new Map(
    acknowledged.map((order) => [order, judge(facts.get(order.orderId!)!)] as const),
  );
  const problems: string[] = [];
  for (const [order, verdict] of verdicts) {
    if (!isWrong(verdict) && !verdict.doubleCharged) continue;
    const what = [
      ...verdict.lost,
      ...verdict.stuck,
      ...(verdict.doubleCharged ? ['charged twice'] : []),
    ];
    problems.push(
      `order ${order.index} (${order.orderId}, ${order.plan}): ${what.join('; ')}` +
        `${order.note ? ` [app: ${order.note}]` : ''} ${JSON.stringify(facts.get(order.orderId!))}`,
    );
  }
  for (const order of unacknowledged) {
    const id = byKey.get(order.idempotencyKey);
    problems.push(
      `order ${order.index}: never acknowledged (${order.note}); ${id ? `in the database as ${id}` : 'not in the database'}`,
    );
  }
  const { capturesWithoutOrder, unpublished, pending, deadLetters } = leftovers!;
  if (capturesWithoutOrder > 0) problems.push(`${capturesWithoutOrder} captures without an order`);
  for (const [what, counts] of [
    ['unpublished outbox rows', unpublished],
    ['pending entries', pending],
    ['dead letters', deadLetters],
  ] as const) {
    for (const [where, count] of Object.entries(counts))
      if (count > 0) problems.push(`${count} ${what} in ${where}`);
  }

  const row = (fault: string, orders: Iterable<DrivenOrder>): FaultRow => {
    const list = [...orders];
    const judged = list.flatMap((order) => {
      const verdict = verdicts.get(order);
      return verdict ? [verdict] : [];
    });
    const journeys = list.map((order) => order.finishedAt! - order.startedAt).sort((a, b) => a - b);
    return {
      fault,
      orders: judged.length,
      lost: judged.filter((verdict) => verdict.lost.length > 0).length,
      stuck: judged.filter((verdict) => verdict.lost.length === 0 && verdict.stuck.length > 0)
        .length,
      doubleCharged: judged.filter((verdict) => verdict.doubleCharged).length,
      journeyMs: journeys[Math.floor(journeys.length / 2)] ?? 0,
      ...timings.get(fault as Fault),
    };
  };
  const touchedAny = new Set([...touchedBy.values()].flatMap((orders) => [...orders]));
  const rows = [
    ...[...touchedBy].map(([fault, orders]) => row(fault, orders)),
    row(
      'none',
      driven.filter((order) => !touchedAny.has(order)),
    ),
    row('all', driven),
  ];
  const finalStatus = (status: string) =>
    [...facts.values()].filter((fact) => fact.status === status).length;
  return {
    rows,
    counts: {
      orders: driven.length,
      acknowledged: acknowledged.length,
      delivered: finalStatus('DELIVERED'),
      canceled: finalStatus('CANCELED'),
      rejected: finalStatus('REJECTED'),
      unacknowledged: unacknowledged.length,
      retries: driven.reduce((sum, order) => sum + order.failures, 0),
      foundDone: driven.reduce((sum, order) => sum + order.foundDone, 0),
      republished: await republished(
        Object.entries(stack.urls).flatMap(([name, url]) => (name === 'router' ? [] : [url])),
      ),
      durationMs: Date.now() - began,
    },
    leftovers: leftovers!,
    problems,
    ok: problems.length === 0,
  };
}

/** The sum of the subgraphs' `baedal_events_republished_total`. */
async function republished(graphqlUrls: readonly string[]): Promise<number> {
  let total = 0;
  for (const url of graphqlUrls) {
    const text = await (await fetch(new URL('/metrics', url))).text();
    for (const line of text.split('\n')) {
      if (line.startsWith('baedal_events_republished_total'))
        total += Number(line.split(' ').at(-1));
    }
  }
  return total;
}

const isWrong = (verdict: OrderVerdict) => verdict.lost.length > 0 || verdict.stuck.length > 0;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The report as a table and counts, for a terminal. */
export function formatChaosReport(report: ChaosReport): string {
  const header = [
    'fault',
    'orders',
    'lost',
    'stuck',
    'double-charged',
    'journey (median)',
    'down',
    'converged in',
  ];
  const cells = report.rows.map((row) => [
    row.fault,
    String(row.orders),
    String(row.lost),
    String(row.stuck),
    String(row.doubleCharged),
    seconds(row.journeyMs),
    row.downMs === undefined ? '' : seconds(row.downMs),
    row.convergedMs === undefined
      ? ''
      : row.convergedMs === null
        ? 'never'
        : seconds(row.convergedMs),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((line) => line[column]!.length)),
  );
  const line = (values: readonly string[]) =>
    `| ${values.map((value, column) => (column === 0 ? value.padEnd(widths[column]!) : value.padStart(widths[column]!))).join(' | ')} |`;
  const { counts, leftovers } = report;
  const sum = (counts: Record<string, number>) =>
    Object.values(counts).reduce((total, count) => total + count, 0);
  return [
    line(header),
    `| ${widths.map((width, column) => (column === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`,
    ...cells.map(line),
    '',
    `${counts.orders} orders in ${seconds(counts.durationMs)}: ${counts.acknowledged} acknowledged ` +
      `(${counts.delivered} delivered, ${counts.canceled} canceled, ${counts.rejected} rejected), ` +
      `${counts.unacknowledged} never acknowledged; ${counts.retries} requests retried, ` +
      `${counts.foundDone} steps found already taken; ${counts.republished} events published ` +
      'again after Redis lost them.',
    `Captures without an order: ${leftovers.capturesWithoutOrder}; unpublished outbox rows: ` +
      `${sum(leftovers.unpublished)}; pending entries: ${sum(leftovers.pending)}; dead letters: ` +
      `${sum(leftovers.deadLetters)}.`,
    ...(report.problems.length > 0 ? ['', 'Problems:', ...report.problems] : []),
    '',
    report.ok ? 'Nothing lost.' : 'FAILED: see the problems above.',
  ].join('\n');
}
