/**
 * `npm start`: the whole supergraph with demo data, on the default local ports (or from
 * `PORT`), logging to this terminal. Ctrl+C stops it.
 */
import { customers, owners, riders, stores } from '@baedal/demo-data';
import { loadStackConfig } from './config.js';
import { PreflightError } from './preflight.js';
import { startStack } from './stack.js';

const startedAt = performance.now();
console.log(
  'Starting Baedal: checking ports, PostgreSQL and Redis, migrating, starting four subgraphs and the router...',
);

try {
  const config = loadStackConfig();
  const stack = await startStack({
    ports: config.routerPort,
    postgresUrl: config.postgresUrl,
    redisUrl: config.redisUrl,
    databasePrefix: config.databasePrefix,
    streamPrefix: config.streamPrefix,
    output: 'inherit',
    env: { LOG_FORMAT: 'pretty', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
  });
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.log(banner(stack.routerUrl.replace('127.0.0.1', 'localhost'), seconds));

  let stopping = false;
  const stop = async (status: number) => {
    if (stopping) return;
    stopping = true;
    await stack[Symbol.asyncDispose]();
    process.exit(status);
  };
  process.once('SIGINT', () => stop(0));
  process.once('SIGTERM', () => stop(0));
  for (const service of Object.values(stack.services)) {
    service.onUnexpectedExit((code, signal) => {
      // Ctrl+C reaches every process of the terminal's group: then an exit is expected.
      if (stopping) return;
      console.error(
        `${service.name} stopped unexpectedly (${signal ?? `status ${code}`}); stopping everything.`,
      );
      void stop(1);
    });
  }
} catch (error) {
  console.error(
    error instanceof PreflightError
      ? `\n${error.message}\n`
      : `\nBaedal could not start: ${(error as Error).message}`,
  );
  process.exit(1);
}

function banner(url: string, seconds: string): string {
  const storesOf = (ownerId: string) =>
    stores
      .filter((store) => store.ownerId === ownerId)
      .map((store) => store.name)
      .join(', ');
  const people = (
    list: readonly { id: string; name: string }[],
    detail: (id: string) => string = () => '',
  ) =>
    list
      .map((person) => `      ${person.id.padEnd(12)} ${person.name}${detail(person.id)}`)
      .join('\n');
  return `
Baedal is ready (${seconds} s).

  GraphQL endpoint   ${url}   (queries, mutations; subscriptions over graphql-ws)
  Playground         open ${url} in a browser, paste a token in its "Bearer token" field

  Send a bearer token of a demo account (any role and id works: tokens are minted locally):
      TOKEN=$(npm run -s token -- CUSTOMER customer-1)
      curl -s ${url} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
        -d '{"query":"{ stores(near: {lat: 37.4979, lng: 127.0276}) { edges { node { name menu { id name priceWon } } } } }"}'

    customers (CUSTOMER)
${people(customers)}
    store owners (STORE_OWNER)
${people(owners, (id) => `  (${storesOf(id)})`)}
    riders (RIDER)
${people(riders)}

  Press Ctrl+C to stop.
`;
}
