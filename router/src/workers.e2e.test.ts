import { readFileSync } from 'node:fs';
import { eventually } from '@baedal/service-kit/testing';
import {
  isolatedPrefixes,
  liveClient,
  patientCalls,
  placeDemoOrder,
  routerClient,
  type Stack,
  startStack,
  tokenFor,
} from '@baedal/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The router as several processes (ROUTER_WORKERS=2) on one port, against the real
 * subgraphs: each worker answers queries and serves subscriptions from its own live feed.
 */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    ...isolatedPrefixes('workers'),
    ports: 'any',
    dropDatabases: true,
    env: { ...patientCalls, LOG_LEVEL: 'warn', ROUTER_WORKERS: '2' },
  });
}, 180_000);

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

/** The processes the router's first process started (Linux). */
const workerPids = (pid: number) =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean);

describe('a router of two workers', () => {
  it('runs two workers that answer queries on one port', async () => {
    expect(workerPids(stack.services.router.pid!)).toHaveLength(2);
    const gql = routerClient(stack.routerUrl);
    // Separate connections, spread over both workers by the cluster.
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        gql<{ stores: { edges: { node: { id: string } }[] } }>(
          null,
          '{ stores(near: { lat: 37.4979, lng: 127.0276 }) { edges { node { id } } } }',
        ),
      ),
    );
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.stores.edges.map((edge) => edge.node.id)).toContain(
        'store-gangnam-chicken',
      );
    }
  });

  it('delivers the changes of an order live to subscribers on either worker', async () => {
    const gql = routerClient(stack.routerUrl);
    const customer = await tokenFor({ role: 'CUSTOMER', id: 'customer-1' });
    const owner = await tokenFor({ role: 'STORE_OWNER', id: 'owner-1' });
    const orderId = await placeDemoOrder(gql, customer);
    const clients = Array.from({ length: 4 }, () => liveClient(stack.routerUrl, customer));
    try {
      const feeds = clients.map((client) =>
        client.subscribe<{ orderStatusChanged: { entry: { status: string } } }>(
          'subscription($id: ID!) { orderStatusChanged(orderId: $id) { entry { status } } }',
          { id: orderId },
        ),
      );
      const statuses = (feed: (typeof feeds)[number]) =>
        feed.results.map((result) => result.data?.orderStatusChanged.entry.status);
      for (const feed of feeds) await eventually(() => expect(statuses(feed)).toEqual(['PLACED']));
      await eventually(async () => {
        const accepted = await gql(
          owner,
          `mutation { acceptOrder(input: { orderId: "${orderId}" }) { ticket { status } } }`,
        );
        expect(accepted.errors).toBeUndefined();
      });
      for (const feed of feeds) {
        await eventually(() => expect(statuses(feed)).toEqual(['PLACED', 'ACCEPTED']));
      }
    } finally {
      for (const client of clients) await client[Symbol.asyncDispose]();
    }
  });

  it('serves the metrics of both workers together on one port', async () => {
    const text = await (await fetch(stack.metricsUrl)).text();
    expect(text).toMatch(/^baedal_router_subgraph_requests_total\{/m);
  });
});
