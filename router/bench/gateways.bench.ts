/**
 * The router side by side with other gateways over the same subgraph processes and the same
 * supergraph: Hive Gateway (with its defaults, and with its in-flight deduplication off) and
 * plain `@apollo/gateway` in `@apollo/server` standalone, plus the subgraph called directly
 * where one subgraph answers. The peers are installed into a scratch folder outside the
 * workspaces (once; under the system's temporary folder) and call the subgraphs with an
 * identity assertion per subgraph, signed for the length of the run. All must answer the
 * same; then interleaved rounds of each query, 32 connections for 10 s each, print requests
 * per second, latency, each gateway's CPU per request and the router's ratios to each.
 *
 *     npm run bench:gateways      (BENCH_ROUNDS=2 and BENCH_SECONDS=10 by default)
 *
 * `BENCH_BASELINE=<another checkout, installed and built>` adds the router of that checkout
 * (an earlier commit) to the same rounds, as "Baedal (baseline)".
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdentityAsserter, identityHeader, parsePrivateKey } from '@baedal/identity';
import { readSupergraphSdl } from '@baedal/schema';
import { developmentSecrets } from '@baedal/service-kit';
import {
  isolatedPrefixes,
  patientCalls,
  placeDemoOrder,
  routerClient,
  startStack,
  tokenFor,
} from '@baedal/stack';
import autocannon from 'autocannon';
import { claimDelivery, readyForPickup } from './support.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
/** Each gateway answers each query for this long before it is measured (warm-up). */
const warmUpSeconds = 3;
const connections = 32;

/** What the scratch folder installs: the peers, pinned. */
const peerPackage = {
  name: 'baedal-gateway-peers',
  private: true,
  type: 'module',
  dependencies: {
    '@apollo/gateway': '2.14.4',
    '@apollo/server': '5.5.1',
    '@graphql-hive/gateway': '2.15.1',
    graphql: '16.15.0',
  },
  // Later versions of batch-execute break Hive Gateway 2.15's batching of entity fetches.
  overrides: { '@graphql-tools/batch-execute': '10.2.0' },
};

const scratch = join(tmpdir(), 'baedal-gateway-peers');

function installPeers(): void {
  mkdirSync(scratch, { recursive: true });
  const manifest = `${JSON.stringify(peerPackage, null, 2)}\n`;
  const manifestPath = join(scratch, 'package.json');
  const installed =
    existsSync(join(scratch, 'node_modules')) &&
    existsSync(manifestPath) &&
    readFileSync(manifestPath, 'utf8') === manifest;
  for (const peer of ['apollo.mjs', 'hive.mjs']) {
    writeFileSync(join(scratch, peer), readFileSync(new URL(`peers/${peer}`, import.meta.url)));
  }
  if (installed) return;
  writeFileSync(manifestPath, manifest);
  console.log(`Installing Hive Gateway and @apollo/gateway into ${scratch} ...`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: scratch,
    stdio: 'inherit',
  });
}

/** Starts a peer gateway from the scratch folder; resolves when it listens. */
async function startPeer(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(scratch, script)], {
    cwd: scratch,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [message] = await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(() => {
      throw new Error(`${script} exited before it listened.`);
    }),
  ]);
  return { url: (message as { url: string }).url, child };
}

/** CPU time (user + system) of a process and its descendants, in milliseconds, from /proc. */
function cpuMs(pid: number): number {
  let ticks = 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks = Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .split(' ')
    .filter(Boolean)
    .map(Number);
  // The kernel's clock tick is 100 Hz on Linux's usual builds.
  return ticks * 10 + children.reduce((sum, child) => sum + cpuMs(child), 0);
}

/**
 * Bearer tokens signed here, synchronously, one per request: each is new to the router, so
 * none is served from its cache of verified tokens. The same claims `tokenFor` signs, plus a
 * counter.
 */
function distinctToken(counter: number): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: 'HS256' })}.${encode({
    role: 'CUSTOMER',
    sub: 'customer-2',
    iss: 'baedal',
    aud: 'baedal-api',
    iat: now,
    exp: now + 3600,
    jti: String(counter),
  })}`;
  const signature = createHmac('sha256', developmentSecrets.jwt)
    .update(unsigned)
    .digest('base64url');
  return `${unsigned}.${signature}`;
}

interface Target {
  readonly name: string;
  readonly url: string;
  /** The process whose CPU is counted (none for the subgraph called directly). */
  readonly pid?: number;
}

interface Query {
  readonly name: string;
  readonly body: string;
  /** Who answers it: every gateway, and the one subgraph when it alone can. */
  readonly direct?: Target;
  /** A new bearer token per request (no gateway can share their work). */
  readonly distinctTokens?: boolean;
}

interface Measure {
  /** Answers that were not 2xx, and requests that failed (a timeout: 30 s). */
  failed: number;
  rps: number;
  p50: number;
  p99: number;
  cpuPerRequestMs: number | undefined;
}

async function round(
  target: Target,
  query: Query,
  token: string,
  duration = seconds,
): Promise<Measure> {
  const isDirect = target === query.direct;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (isDirect) headers[identityHeader] = directIdentity[query.direct!.name]!;
  else headers.authorization = `Bearer ${token}`;
  let counter = 0;
  const cpuBefore = target.pid ? cpuMs(target.pid) : 0;
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    connections,
    duration,
    timeout: 30,
    headers,
    body: query.body,
    ...(query.distinctTokens &&
      !isDirect && {
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              headers: { ...headers, authorization: `Bearer ${distinctToken(counter++)}` },
            }),
          },
        ],
      }),
  });
  const cpu = target.pid ? cpuMs(target.pid) - cpuBefore : 0;
  const total = result.requests.total;
  return {
    failed: result.non2xx + result.errors,
    rps: total / duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    // No answer at all (an overloaded machine): no CPU per request either.
    cpuPerRequestMs: target.pid && total > 0 ? cpu / total : undefined,
  };
}

const stack = await startStack({
  ...isolatedPrefixes('gateways'),
  ports: 'any',
  dropDatabases: true,
  compiled: true,
  env: { LOG_LEVEL: 'warn', ...patientCalls },
});
const peers: ChildProcess[] = [];
let directIdentity: Record<string, string> = {};
try {
  installPeers();
  const customerId = 'customer-1';
  const key = parsePrivateKey(developmentSecrets.routerPrivateKey);
  const subgraphNames = ['order', 'payment', 'kitchen', 'delivery'] as const;
  // Assertions for the length of the run: the peers send a fixed header per subgraph.
  directIdentity = Object.fromEntries(
    await Promise.all(
      subgraphNames.map(async (audience) => [
        audience,
        await new IdentityAsserter({
          issuer: 'router',
          audience,
          key,
          lifetimeSeconds: 3 * 3600,
        }).assert({ id: customerId, role: 'CUSTOMER' }),
      ]),
    ),
  );
  let supergraph = readSupergraphSdl();
  for (const name of subgraphNames) {
    supergraph = supergraph.replace(
      new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*`),
      `$1${stack.urls[name]}`,
    );
  }
  const supergraphPath = join(scratch, 'supergraph.graphql');
  writeFileSync(supergraphPath, supergraph);
  const peerEnv = {
    PEER_SUPERGRAPH: supergraphPath,
    PEER_HEADERS: JSON.stringify(
      Object.fromEntries(
        subgraphNames.map((name) => [name, { [identityHeader]: directIdentity[name] }]),
      ),
    ),
  };
  const hive = await startPeer('hive.mjs', peerEnv);
  const hiveWithoutDedup = await startPeer('hive.mjs', { ...peerEnv, PEER_DEDUPLICATE: 'false' });
  const apollo = await startPeer('apollo.mjs', peerEnv);
  peers.push(hive.child, hiveWithoutDedup.child, apollo.child);

  const baedal: Target = { name: 'Baedal', url: stack.routerUrl, pid: stack.services.router.pid };
  const baseline = process.env.BENCH_BASELINE
    ? await stack.startRouter({}, process.env.BENCH_BASELINE)
    : undefined;
  const gateways: Target[] = [
    baedal,
    ...(baseline
      ? [{ name: 'Baedal (baseline)', url: baseline.url, pid: baseline.process.pid }]
      : []),
    { name: 'Hive (defaults)', url: hive.url, pid: hive.child.pid },
    { name: 'Hive (dedup off)', url: hiveWithoutDedup.url, pid: hiveWithoutDedup.child.pid },
    { name: 'plain Apollo', url: apollo.url, pid: apollo.child.pid },
  ];

  const gql = routerClient(stack.routerUrl);
  const customer = await tokenFor({ role: 'CUSTOMER', id: customerId });
  const owner = await tokenFor({ role: 'STORE_OWNER', id: 'owner-1' });
  const rider = await tokenFor({ role: 'RIDER', id: 'rider-1' });
  // One order taken to a rider, so that every part of the full-order query has data.
  const orderId = await placeDemoOrder(gql, customer);
  await readyForPickup(gql, owner, orderId);
  await gql(
    rider,
    'mutation { updateRiderLocation(input: { location: { lat: 37.4985, lng: 127.029 } }) { rider { id } } }',
  );
  await claimDelivery(gql, { customer, rider }, orderId);

  const storesNear = JSON.stringify({
    query:
      '{ stores(near: { lat: 37.4979, lng: 127.0276 }) { edges { distanceKm node { id name } } } }',
  });
  const queries: Query[] = [
    {
      name: 'stores near a point (kitchen only)',
      body: storesNear,
      direct: { name: 'kitchen', url: stack.urls.kitchen },
    },
    {
      name: 'full order (4 subgraphs)',
      body: JSON.stringify({
        query: `query($id: ID!) { order(id: $id) {
          id status totalWon items { name quantity unitPriceWon } timeline { seq status actor { role id } }
          payment { status amountWon cardLast4 }
          kitchenTicket { status }
          delivery { status feeWon rider { name vehicle } }
        } }`,
        variables: { id: orderId },
      }),
    },
    {
      name: 'placeOrder',
      body: JSON.stringify({
        query: `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { status totalWon } } }`,
        variables: {
          input: {
            storeId: 'store-gangnam-chicken',
            items: [{ menuItemId: 'gangnam-chicken-fried', quantity: 1 }],
            deliveryAddress: {
              address: '152 Teheran-ro',
              location: { lat: 37.5006, lng: 127.0364 },
            },
            payment: { cardToken: 'tok_visa' },
          },
        },
      }),
      direct: { name: 'order', url: stack.urls.order },
    },
    {
      name: 'stores, a new token per request',
      body: storesNear,
      distinctTokens: true,
      direct: { name: 'kitchen', url: stack.urls.kitchen },
    },
  ];

  // Every gateway (and the subgraph) answers each query alike.
  for (const query of queries) {
    const answers = new Map<string, string>();
    for (const target of [...gateways, ...(query.direct ? [query.direct] : [])]) {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(target === query.direct
            ? { [identityHeader]: directIdentity[target.name]! }
            : { authorization: `Bearer ${customer}` }),
        },
        body: query.body,
      });
      answers.set(target.name, JSON.stringify(await response.json()));
    }
    const [first, ...others] = [...answers.values()];
    if (others.some((answer) => answer !== first) || first?.includes('"errors"')) {
      throw new Error(`The answers to "${query.name}" differ:\n${[...answers].join('\n')}`);
    }
  }
  console.log('Every gateway answers each query alike.');

  const results = new Map<string, Map<string, Measure[]>>();
  for (const query of queries) {
    const targets = [...gateways, ...(query.direct ? [query.direct] : [])];
    const byTarget = new Map(targets.map((target) => [target.name, [] as Measure[]]));
    results.set(query.name, byTarget);
    for (const target of targets) await round(target, query, customer, warmUpSeconds);
    for (let index = 0; index < rounds; index++) {
      // Interleaved, each round in another order, so that no one always runs first.
      const order = targets.map((_, position) => targets[(position + index) % targets.length]!);
      for (const target of order) {
        const measure = await round(target, query, customer);
        byTarget.get(target.name)!.push(measure);
        console.log(
          `  ${query.name} · ${target.name}: ${measure.rps.toFixed(0)} req/s, p50 ${measure.p50} ms, p99 ${measure.p99} ms` +
            (measure.cpuPerRequestMs === undefined
              ? ''
              : `, CPU ${measure.cpuPerRequestMs.toFixed(2)} ms/req`) +
            (measure.failed > 0 ? `, ${measure.failed} failed` : ''),
        );
      }
    }
  }

  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const round2 = (value: number) => Math.round(value * 100) / 100;
  console.log(
    `\n${connections} connections, ${rounds} interleaved rounds of ${seconds} s per gateway and query (means)`,
  );
  for (const [query, byTarget] of results) {
    const summary = new Map(
      [...byTarget].map(([name, measures]) => [
        name,
        {
          failed: measures.reduce((sum, m) => sum + m.failed, 0),
          rps: mean(measures.map((m) => m.rps)),
          p50: mean(measures.map((m) => m.p50)),
          p99: mean(measures.map((m) => m.p99)),
          cpu: measures.some((m) => m.cpuPerRequestMs === undefined)
            ? undefined
            : mean(measures.map((m) => m.cpuPerRequestMs!)),
        },
      ]),
    );
    const ours = summary.get(baedal.name)!;
    console.log(`\n${query}`);
    console.table(
      Object.fromEntries(
        [...summary].map(([name, s]) => [
          name,
          {
            'req/s': Math.round(s.rps),
            'p50 ms': round2(s.p50),
            'p99 ms': round2(s.p99),
            failed: s.failed,
            'CPU ms/req': s.cpu === undefined ? '–' : round2(s.cpu),
            'Baedal req/s ×': name === baedal.name ? '–' : round2(ours.rps / s.rps),
            'Baedal CPU ×':
              name === baedal.name || s.cpu === undefined ? '–' : round2(ours.cpu! / s.cpu),
          },
        ]),
      ),
    );
  }
} finally {
  for (const peer of peers) peer.kill();
  await stack[Symbol.asyncDispose]();
}
