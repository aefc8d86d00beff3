import { randomBytes } from 'node:crypto';
import { type AddressInfo, createServer } from 'node:net';
import { stores } from '@baedal/demo-data';
import {
  databaseUrlFor,
  dropDatabase,
  migrateDatabase,
  type SubgraphSchema,
  subgraphSchemas,
} from '@baedal/prisma';
import pg from 'pg';
import { preflight } from './preflight.js';
import { type ServiceName, ServiceProcess, services } from './service-process.js';

export interface StackOptions {
  /** Any URL of the PostgreSQL server; each subgraph gets its own database there. */
  readonly postgresUrl?: string;
  readonly redisUrl?: string;
  /** Databases are `<prefix>_order`, `<prefix>_payment` ... Default `baedal`. */
  readonly databasePrefix?: string;
  /** Prefix of every Redis key the services use. Default `baedal`. */
  readonly streamPrefix?: string;
  /**
   * A number: the router's port, with the subgraphs on the next four (order, payment,
   * kitchen, delivery) and the router's metrics 5464 above it (9464 by default); they must be
   * free. `any`: free ports picked by the system (tests). Default 4000.
   */
  readonly ports?: number | 'any';
  /** Seed the demo stores, menus and riders. Default true. */
  readonly seed?: boolean;
  /** `inherit`: services write to this terminal; `capture`: kept, and shown if one fails to start. */
  readonly output?: 'inherit' | 'capture';
  /** Environment given to every service (log level, timeouts ...). */
  readonly env?: NodeJS.ProcessEnv;
  /** Drop the databases when the stack is disposed (for tests). */
  readonly dropDatabases?: boolean;
  /**
   * Where the routers reach a subgraph instead of at its own port: a load balancer in front
   * of its replicas (see `startSubgraph`).
   */
  readonly subgraphUrls?: Partial<Record<Exclude<ServiceName, 'router'>, string>>;
  /**
   * Run every service's compiled code, as the image does (benchmarks); `npm run build` first.
   * Default false: the TypeScript sources through tsx.
   */
  readonly compiled?: boolean;
}

export interface Stack extends AsyncDisposable {
  readonly routerUrl: string;
  /** The router's `GET /metrics`, on a port of its own. */
  readonly metricsUrl: string;
  readonly urls: Readonly<Record<ServiceName, string>>;
  /** Each subgraph's database, for tests that check what was (not) stored. */
  readonly databaseUrls: Readonly<Record<SubgraphSchema, string>>;
  readonly streamPrefix: string;
  readonly services: Readonly<Record<ServiceName, ServiceProcess>>;
  /**
   * Starts one more router (another replica) on the same subgraphs, with `env` added to its
   * environment, from this checkout or from another (`root`); stopped with the stack.
   */
  startRouter(
    env?: NodeJS.ProcessEnv,
    root?: string,
  ): Promise<{
    readonly url: string;
    readonly metricsUrl: string;
    readonly process: ServiceProcess;
  }>;
  /**
   * Starts one more replica of a subgraph on the same database and streams, on a free port of
   * its own (and so with an event consumer name of its own), with `env` added to its
   * environment; stopped with the stack.
   */
  startSubgraph(
    name: Exclude<ServiceName, 'router'>,
    env?: NodeJS.ProcessEnv,
  ): Promise<{ readonly url: string; readonly process: ServiceProcess }>;
}

/**
 * Environment for stacks whose subject is not overload: on a busy machine (tests run side by
 * side on a CI runner) a charge or a cancel can take seconds, which must not turn an order
 * into PAYMENT_PENDING or a cancel into KITCHEN_UNAVAILABLE there.
 */
export const patientCalls = { PAYMENT_TIMEOUT_MS: '30000', KITCHEN_TIMEOUT_MS: '30000' } as const;

/** A random prefix for a stack of its own (databases, streams), for tests and benchmarks. */
export function isolatedPrefixes(label: string) {
  const suffix = randomBytes(4).toString('hex');
  return { databasePrefix: `baedal_${label}_${suffix}`, streamPrefix: `${label}-${suffix}` };
}

/**
 * Brings up the whole supergraph: checks PostgreSQL and Redis, creates and migrates the four
 * databases, starts the four subgraphs and the router, and (when seeding) waits until the
 * order subgraph's menu replica holds every demo store, so that orders can be placed at
 * once. Disposing stops everything, router first.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const postgresUrl =
    options.postgresUrl ??
    process.env.POSTGRES_URL ??
    'postgresql://postgres@127.0.0.1:5432/postgres';
  const redisUrl = options.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const databasePrefix = options.databasePrefix ?? 'baedal';
  const streamPrefix = options.streamPrefix ?? 'baedal';
  const output = options.output ?? 'capture';
  const seed = options.seed ?? true;

  const ports = await choosePorts(options.ports ?? 4000);
  await preflight(postgresUrl, redisUrl, options.ports === 'any' ? {} : ports);
  const databaseUrls = Object.fromEntries(
    subgraphSchemas.map((name) => [name, databaseUrlFor(postgresUrl, databasePrefix, name)]),
  ) as Record<SubgraphSchema, string>;
  for (const name of subgraphSchemas) await migrateDatabase(name, databaseUrls[name]);

  const url = (name: ServiceName) => `http://127.0.0.1:${ports[name]}/graphql`;
  const routerUrl = (name: Exclude<ServiceName, 'router'>) =>
    options.subgraphUrls?.[name] ?? url(name);
  const common = {
    REDIS_URL: redisUrl,
    EVENT_STREAM_PREFIX: streamPrefix,
    SEED_DEMO_DATA: String(seed),
    ...options.env,
  };
  const environments: Record<ServiceName, NodeJS.ProcessEnv> = {
    payment: { DATABASE_URL: databaseUrls.payment },
    kitchen: { DATABASE_URL: databaseUrls.kitchen },
    delivery: { DATABASE_URL: databaseUrls.delivery },
    order: {
      DATABASE_URL: databaseUrls.order,
      PAYMENT_URL: `http://127.0.0.1:${ports.payment}`,
      KITCHEN_URL: `http://127.0.0.1:${ports.kitchen}`,
    },
    router: {
      METRICS_PORT: String(ports.metrics),
      ORDER_URL: routerUrl('order'),
      PAYMENT_URL: routerUrl('payment'),
      KITCHEN_URL: routerUrl('kitchen'),
      DELIVERY_URL: routerUrl('delivery'),
    },
  };
  const processes = Object.fromEntries(
    serviceNames.map((name) => [
      name,
      new ServiceProcess(
        name,
        { ...common, PORT: String(ports[name]), ...environments[name] },
        output,
        { compiled: options.compiled },
      ),
    ]),
  ) as Record<ServiceName, ServiceProcess>;
  const started = Object.values(processes);

  try {
    // Every URL is known up front, so all five start at once; none calls another while starting.
    const urls = Object.fromEntries(
      await Promise.all(
        serviceNames.map(async (name) => [name, await processes[name].start()] as const),
      ),
    ) as Record<ServiceName, string>;
    if (seed) await waitForMenuReplica(databaseUrls.order);
    return {
      routerUrl: urls.router,
      metricsUrl: metricsUrl(ports.metrics),
      urls,
      databaseUrls,
      streamPrefix,
      services: processes,
      async startRouter(env = {}, root = undefined) {
        const metricsPort = await freePort();
        const replica = new ServiceProcess(
          'router',
          {
            ...common,
            PORT: String(await freePort()),
            ...environments.router,
            METRICS_PORT: String(metricsPort),
            ...env,
          },
          output,
          { root, compiled: options.compiled },
        );
        started.push(replica);
        return {
          url: await replica.start(),
          metricsUrl: metricsUrl(metricsPort),
          process: replica,
        };
      },
      async startSubgraph(name, env = {}) {
        const replica = new ServiceProcess(
          name,
          { ...common, PORT: String(await freePort()), ...environments[name], ...env },
          output,
          { compiled: options.compiled },
        );
        started.push(replica);
        return { url: await replica.start(), process: replica };
      },
      async [Symbol.asyncDispose]() {
        await stopAll(started);
        if (options.dropDatabases) await Promise.all(Object.values(databaseUrls).map(dropDatabase));
      },
    };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

const serviceNames = Object.keys(services) as ServiceName[];

const metricsUrl = (port: number) => `http://127.0.0.1:${port}/metrics`;

type Ports = Record<ServiceName | 'metrics', number>;

/** The router's metrics port when it listens on 4000: Prometheus exporters' usual one. */
const defaultMetricsPort = 9464;

/** Each service's port (and the router's metrics port) when the router listens on `routerPort`. */
export function servicePorts(routerPort: number): Ports {
  const offset = routerPort - services.router.port;
  return {
    ...Object.fromEntries(serviceNames.map((name) => [name, services[name].port + offset])),
    metrics: defaultMetricsPort + offset,
  } as Ports;
}

/** From the router's port, or free ones picked by the system (for stacks side by side). */
async function choosePorts(choice: number | 'any'): Promise<Ports> {
  if (choice !== 'any') return servicePorts(choice);
  const names = [...serviceNames, 'metrics'] as const;
  const free = await Promise.all(names.map(() => freePort()));
  return Object.fromEntries(names.map((name, index) => [name, free[index]!])) as Ports;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function stopAll(processes: ServiceProcess[]): Promise<void> {
  const router = processes.filter((process) => process.name === 'router');
  await Promise.all(router.map((process) => process.stop()));
  await Promise.all(
    processes.filter((process) => process.name !== 'router').map((process) => process.stop()),
  );
}

/**
 * The kitchen publishes the demo menus when it starts; the order subgraph can take orders
 * for a store once its replica has the store's menu.
 */
async function waitForMenuReplica(orderDatabaseUrl: string, timeoutMs = 30_000): Promise<void> {
  const client = new pg.Client({ connectionString: orderDatabaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await client.query<{ count: string }>(
        'SELECT count(*) FROM store_replica WHERE id = ANY($1)',
        [stores.map((store) => store.id)],
      );
      if (Number(rows[0]?.count) === stores.length) return;
      if (Date.now() > deadline)
        throw new Error('The order subgraph did not receive the demo menus in time.');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}
