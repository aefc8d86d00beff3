import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { generateServiceKeyPair, parsePrivateKey } from '@baedal/identity';
import { afterEach, describe, expect, it } from 'vitest';
import type { RouterContext } from './context.js';
import { createGateway } from './gateway.js';

/**
 * The kitchen, played by an HTTP server that holds every request until `answer()` (and then
 * answers at once): requests the gateway's client sends meanwhile are certainly concurrent.
 */
async function heldKitchen() {
  const held: ServerResponse[] = [];
  let received = 0;
  let answering = false;
  const respond = (response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ data: { stores: { edges: [] } } }));
  };
  const server = createServer(async (request: IncomingMessage, response) => {
    for await (const _ of request); // the body, read to its end
    received += 1;
    if (answering) respond(response);
    else held.push(response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    /** Requests received so far. */
    received: () => received,
    answer() {
      answering = true;
      for (const response of held.splice(0)) respond(response);
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const disposers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0).reverse()) await dispose();
});

async function router(kitchenUrl: string) {
  const fetches: string[] = [];
  const { gateway, close } = createGateway({
    subgraphUrls: { kitchen: kitchenUrl },
    signingKey: parsePrivateKey(generateServiceKeyPair().privateKey),
    onSubgraphRequest: (subgraph) => fetches.push(subgraph),
  });
  const server = new ApolloServer<RouterContext>({ gateway });
  await server.start();
  disposers.push(close, () => server.stop());
  const viewer = { role: 'CUSTOMER' as const, id: 'c1', expiresAt: new Date(Date.now() + 60_000) };
  const run = (query: string) =>
    server.executeOperation({ query }, { contextValue: { viewer, origin: 'http' } });
  return { run, fetches };
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
};

describe('the gateway’s subgraph client', () => {
  it('shares one subgraph request among identical queries under way at once', async () => {
    const kitchen = await heldKitchen();
    disposers.push(kitchen.close);
    const { run, fetches } = await router(kitchen.url);
    const query = '{ stores(near: { lat: 37.5, lng: 127.03 }) { edges { distanceKm } } }';

    const answers = Promise.all([run(query), run(query), run(query)]);
    // Every one of the three has asked for its fetch before the kitchen answers any.
    await until(() => fetches.length === 3 && kitchen.received() > 0);
    kitchen.answer();
    for (const { body } of await answers) {
      expect(body).toMatchObject({ singleResult: { data: { stores: { edges: [] } } } });
    }
    expect(kitchen.received()).toBe(1);
  });

  it('never shares a mutation’s request', async () => {
    const kitchen = await heldKitchen();
    disposers.push(kitchen.close);
    const { run } = await router(kitchen.url);
    const mutation = 'mutation { acceptOrder(input: { orderId: "o1" }) { ticket { id } } }';

    const answers = Promise.all([run(mutation), run(mutation)]);
    await until(() => kitchen.received() === 2);
    kitchen.answer();
    await answers;
    expect(kitchen.received()).toBe(2);
  });
});
