import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '@baedal/service-kit/testing';
import {
  isolatedPrefixes,
  patientCalls,
  routerClient,
  type Stack,
  startStack,
  tokenFor,
} from '@baedal/stack';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The playground in a real (headless) Chromium against the real stack: a customer follows
 * their order live through a subscription while the owner accepts it. Needs the built
 * playground (`npm run playground:build`) and Chromium at /usr/bin/chromium.
 */

const screenshot = fileURLToPath(
  new URL('../../artifacts/playground-subscription.png', import.meta.url),
);

let stack: Stack;
let gql: ReturnType<typeof routerClient>;
let browser: BrowserContext;
let profile: string;
const token: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({
    ...isolatedPrefixes('playground'),
    ports: 'any',
    dropDatabases: true,
    env: {
      ...patientCalls,
      LOG_LEVEL: 'warn',
    },
  });
  gql = routerClient(stack.routerUrl);
  token.customer = await tokenFor({ role: 'CUSTOMER', id: 'customer-1' });
  token.owner = await tokenFor({ role: 'STORE_OWNER', id: 'owner-1' });
  // A fresh profile: no stored GraphiQL tabs or token from an earlier run.
  profile = await mkdtemp(join(tmpdir(), 'baedal-playground-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  await stack?.[Symbol.asyncDispose]();
});

const subscription =
  'subscription($id: ID!) { orderStatusChanged(orderId: $id) { cursor entry { status } order { status } } }';

async function placeOrder(): Promise<string> {
  const response = await gql<{ placeOrder: { order: { id: string } } }>(
    token.customer!,
    'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } } }',
    {
      input: {
        storeId: 'store-gangnam-chicken',
        items: [{ menuItemId: 'gangnam-chicken-fried', quantity: 1 }],
        deliveryAddress: {
          address: '152 Teheran-ro, Gangnam-gu',
          location: { lat: 37.5006, lng: 127.0364 },
        },
        payment: { cardToken: 'tok_visa' },
      },
    },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.placeOrder.order.id;
}

/** Waits for the results pane to show `"status": "<status>"`; else fails with what it shows. */
async function expectResultStatus(page: Page, status: string): Promise<void> {
  // Monaco renders spaces as no-break spaces, which \s matches.
  const expected = new RegExp(`"status":\\s*"${status}"`);
  const pane = page.locator('.result-window .view-lines');
  try {
    await pane.filter({ hasText: expected }).waitFor({ timeout: 20_000 });
  } catch {
    expect(await pane.textContent(), `the results pane shows ${status}`).toMatch(expected);
  }
}

/** Opens the playground with an operation (and its variables) in the editor. */
async function open(page: Page, operation: string, variables: Record<string, unknown>) {
  const url = new URL('/graphql', stack.routerUrl);
  url.searchParams.set('query', operation);
  url.searchParams.set('variables', JSON.stringify(variables));
  const response = await page.goto(url.href);
  // 503 when the playground is not built; Apollo's 400 when the router does not serve it.
  expect(response?.status()).toBe(200);
  // Monaco loads lazily: run only once the operation is in the editor.
  const firstField = /\{\s*(\w+)/.exec(operation)![1]!;
  await page.locator('.graphiql-query-editor .view-lines', { hasText: firstField }).waitFor();
}

describe('the playground', () => {
  it('runs a query and follows an order live as the person whose token is set, loading nothing from elsewhere', async () => {
    const orderId = await placeOrder();
    const router = new URL(stack.routerUrl);
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const note = (url: string) => {
      const { protocol, host } = new URL(url);
      if (/^(https?|wss?):$/.test(protocol) && host !== router.host) elsewhere.push(url);
    };
    page.on('request', (request) => note(request.url()));
    page.on('websocket', (socket) => note(socket.url()));
    // A request the content security policy blocks never becomes a request: it is reported here.
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });

    // A query over HTTP, as the person whose token is typed into the token field.
    await open(page, 'query($id: ID!) { order(id: $id) { status } }', { id: orderId });
    await page.getByLabel('Bearer token').fill(token.customer!);
    await page.locator('.graphiql-execute-button').click();
    await expectResultStatus(page, 'PLACED');

    // A subscription over graphql-ws: the token (kept by the page) goes with the connection.
    await open(page, subscription, { id: orderId });
    await page.locator('.graphiql-execute-button').click();
    await expectResultStatus(page, 'PLACED');

    // The owner accepts once the kitchen has the order; the open subscription shows it.
    await eventually(async () => {
      const accepted = await gql(
        token.owner!,
        'mutation($orderId: ID!) { acceptOrder(input: { orderId: $orderId }) { ticket { status } } }',
        { orderId },
      );
      expect(accepted.errors).toBeUndefined();
    });
    await expectResultStatus(page, 'ACCEPTED');

    await mkdir(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  }, 90_000);
});
