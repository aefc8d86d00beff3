import { randomUUID } from 'node:crypto';
import {
  IdentityAsserter,
  identityHeader,
  parsePrivateKey,
  type ServiceKey,
  type Viewer,
} from '@baedal/identity';
import { developmentSecrets } from '@baedal/service-kit';
import { errorCodes, eventually } from '@baedal/service-kit/testing';
import {
  isolatedPrefixes,
  Journey,
  placeDemoOrder,
  routerClient,
  type ServiceName,
  ServiceProcess,
  type Stack,
  startStack,
  tokenFor,
} from '@baedal/stack';
import { SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

/*
 * Attacks and bad input, each tried through the real processes (four subgraphs and the
 * router, started as `npm start` starts them), each refused, each changing nothing. The
 * router's live limits are set low here so that they can be reached.
 */

const liveLimits = {
  LIVE_MAX_CONNECTIONS: '8',
  LIVE_MAX_CONNECTIONS_PER_PERSON: '3',
  LIVE_MAX_SUBSCRIPTIONS_PER_PERSON: '4',
  LIVE_MAX_NEW_SUBSCRIPTIONS_PER_MINUTE: '10',
};
const allowedOrigin = 'https://app.example.com';

let stack: Stack;
let gql: ReturnType<typeof routerClient>;
let customer: string;
let orderId: string;
const admin: Viewer = { id: 'admin-1', role: 'ADMIN' };

beforeAll(async () => {
  stack = await startStack({
    ...isolatedPrefixes('attacks'),
    ports: 'any',
    dropDatabases: true,
    env: { LOG_LEVEL: 'warn', CORS_ORIGINS: allowedOrigin, ...liveLimits },
  });
  gql = routerClient(stack.routerUrl);
  customer = await tokenFor({ role: 'CUSTOMER', id: 'customer-1' });
  orderId = await placeDemoOrder(gql, customer);
}, 180_000);

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

/** Rows of a subgraph's table matching `where` (SQL), to show that nothing was stored. */
async function countRows(
  subgraph: keyof Stack['databaseUrls'],
  sql: string,
  values: unknown[] = [],
): Promise<number> {
  const client = new pg.Client({ connectionString: stack.databaseUrls[subgraph] });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>(sql, values);
    return Number(rows[0]!.count);
  } finally {
    await client.end();
  }
}

const ordersOfCustomer = () =>
  countRows('order', 'SELECT count(*) FROM "order" WHERE customer_id = \'customer-1\'');

/** Sends a raw HTTP request to the router's `/graphql`: what a client may send, not a GraphQL client. */
async function send(body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(stack.routerUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: JSON.parse(text) as {
      data?: unknown;
      errors?: { message: string; extensions: Record<string, unknown> }[];
    },
  };
}

const placeOrderMutation = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id } } }`;
const orderInput = (change: { address?: string; lat?: number } = {}) => ({
  storeId: 'store-gangnam-chicken',
  items: [{ menuItemId: 'gangnam-chicken-fried', quantity: 1 }],
  deliveryAddress: {
    address: change.address ?? '152 Teheran-ro',
    location: { lat: change.lat ?? 37.5006, lng: 127.0364 },
  },
  payment: { cardToken: 'tok_visa' },
});

describe('identity between services', () => {
  /** Posts a query straight to a subgraph, with an assertion as an attacker made it. */
  async function callSubgraph(subgraph: ServiceName, assertion: string, query: string) {
    const response = await fetch(stack.urls[subgraph], {
      method: 'POST',
      headers: { 'content-type': 'application/json', [identityHeader]: assertion },
      body: JSON.stringify({ query }),
    });
    return {
      status: response.status,
      ...((await response.json()) as {
        data?: unknown;
        errors?: { extensions: { code: string } }[];
      }),
    };
  }
  const sign = (key: ServiceKey, issuer: string, audience: string) =>
    new IdentityAsserter({ issuer, audience, key }).assert(admin);
  const routerKey = parsePrivateKey(developmentSecrets.routerPrivateKey);
  const orderKey = parsePrivateKey(developmentSecrets.orderPrivateKey);
  const readOrder = () => `{ order(id: "${orderId}") { id status } }`;

  it("cannot act as the router with a subgraph's key: another customer's order stays unread", async () => {
    const reply = await callSubgraph('order', await sign(orderKey, 'router', 'order'), readOrder());
    expect(reply.status).toBe(401);
    expect(reply.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(reply.data ?? null).toBeNull();
  });

  it('cannot use at the order subgraph an assertion the router made for the kitchen', async () => {
    const reply = await callSubgraph(
      'order',
      await sign(routerKey, 'router', 'kitchen'),
      readOrder(),
    );
    expect(reply.status).toBe(401);
    expect(reply.data ?? null).toBeNull();
  });

  it('cannot replay an expired assertion', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ role: 'ADMIN' })
      .setProtectedHeader({ alg: 'EdDSA', kid: routerKey.kid, typ: 'baedal-identity+jwt' })
      .setSubject(admin.id)
      .setIssuer('router')
      .setAudience('order')
      .setIssuedAt(now - 30)
      .setExpirationTime(now - 15)
      .sign(routerKey.key);
    const reply = await callSubgraph('order', expired, readOrder());
    expect(reply.status).toBe(401);
    expect(reply.data ?? null).toBeNull();
  });

  it('cannot forge an assertion with the shared secret services used to hold', async () => {
    const forged = await new SignJWT({ role: 'ADMIN' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(admin.id)
      .setIssuer('router')
      .setAudience('baedal-subgraphs')
      .setIssuedAt()
      .setExpirationTime('120s')
      .sign(new TextEncoder().encode('development-only-internal-token-secret-01'));
    expect((await callSubgraph('order', forged, readOrder())).status).toBe(401);
  });

  it("charges nothing through payment's internal endpoint but with the order subgraph's own key", async () => {
    const charge = {
      orderId: randomUUID(),
      customerId: 'customer-1',
      amountWon: 1000,
      cardToken: 'tok_visa',
    };
    const chargesUrl = stack.urls.payment.replace(/\/graphql$/, '/internal/charges');
    for (const assertion of [
      await sign(routerKey, 'router', 'payment'),
      await sign(routerKey, 'order', 'payment'),
      await sign(orderKey, 'order', 'kitchen'),
    ]) {
      const response = await fetch(chargesUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [identityHeader]: assertion },
        body: JSON.stringify(charge),
      });
      expect(response.status).toBe(401);
    }
    expect(
      await countRows('payment', 'SELECT count(*) FROM payment WHERE order_id = $1', [
        charge.orderId,
      ]),
    ).toBe(0);
    // And the order subgraph's key opens nothing else of the payment subgraph.
    const reply = await callSubgraph(
      'payment',
      await sign(orderKey, 'order', 'payment'),
      '{ __typename }',
    );
    expect(reply.status).toBe(401);
  });
});

describe('secrets in production', () => {
  const started: ServiceProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((service) => service.stop('SIGKILL')));
  });

  /** Starts a service with NODE_ENV=production; resolves with why it would not start. */
  async function refusal(name: ServiceName, env: NodeJS.ProcessEnv = {}): Promise<string> {
    const service = new ServiceProcess(
      name,
      { NODE_ENV: 'production', PORT: '0', METRICS_PORT: '0', ...env },
      'capture',
    );
    started.push(service);
    return service.start().then(
      () => 'started',
      (error: Error) => error.message,
    );
  }

  it.each([
    ['router', ['JWT_SECRET', 'ROUTER_PRIVATE_KEY', 'CORS_ORIGINS']],
    ['order', ['ROUTER_PUBLIC_KEYS', 'ORDER_PRIVATE_KEY']],
    ['payment', ['ROUTER_PUBLIC_KEYS', 'ORDER_PUBLIC_KEYS']],
    ['kitchen', ['ROUTER_PUBLIC_KEYS', 'ORDER_PUBLIC_KEYS']],
    ['delivery', ['ROUTER_PUBLIC_KEYS']],
  ] as const)('%s refuses to start without its secrets, naming each', async (name, variables) => {
    const message = await refusal(name);
    expect(message).toContain(`${name} could not start: Invalid configuration:`);
    for (const variable of variables)
      expect(message).toContain(`${variable}: must be set in production`);
  });

  it('the router refuses to start with the published development values or a short secret', async () => {
    const message = await refusal('router', {
      JWT_SECRET: 'short',
      ROUTER_PRIVATE_KEY: developmentSecrets.routerPrivateKey,
      CORS_ORIGINS: '*',
    });
    expect(message).toContain('JWT_SECRET: must be at least 32 characters');
    expect(message).toContain(
      'ROUTER_PRIVATE_KEY: is a development value published with the source code',
    );
  });
});

describe('bearer tokens', () => {
  const hundredYears = async () => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ role: 'ADMIN' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin-1')
      .setIssuer('baedal')
      .setAudience('baedal-api')
      .setIssuedAt(now)
      .setExpirationTime(now + 100 * 365 * 24 * 3600)
      .sign(new TextEncoder().encode(developmentSecrets.jwt));
  };

  it('refuses a token that lives 100 years, over HTTP and over the socket', async () => {
    const reply = await gql(await hundredYears(), `{ order(id: "${orderId}") { id } }`);
    expect(reply.status).toBe(401);
    expect(reply.errors?.[0]).toMatchObject({
      message: 'The token lives longer than the 24 h allowed.',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(reply.data ?? null).toBeNull();
    const signIn = await connect(await hundredYears());
    expect(signIn.closed).toEqual({
      code: 4401,
      reason: 'The token lives longer than the 24 h allowed.',
    });
  });
});

describe('operations surface', () => {
  it('serves no metrics on the API port, only on the metrics port', async () => {
    const onApi = await fetch(stack.routerUrl.replace(/\/graphql$/, '/metrics'));
    expect(onApi.status).toBe(404);
    const onMetrics = await fetch(stack.metricsUrl);
    expect(onMetrics.status).toBe(200);
    expect(await onMetrics.text()).toContain('baedal_router_live_connections');
  });

  it('allows browsers of the configured origins only', async () => {
    const preflight = (origin: string) =>
      fetch(stack.routerUrl, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    expect((await preflight(allowedOrigin)).headers.get('access-control-allow-origin')).toBe(
      allowedOrigin,
    );
    expect(
      (await preflight('https://evil.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();
  });
});

describe('GraphQL over HTTP, bad input', () => {
  it('answers a syntax error with 400 GRAPHQL_PARSE_FAILED, with a token or without', async () => {
    for (const token of [null, customer]) {
      const reply = await gql(token, '{ stores(near: { lat: 37.5, lng: 127 }) { edges { cursor } ');
      expect(reply.status).toBe(400);
      expect(reply.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    }
  });

  it.each([
    ['tokens', `{ ${'__typename '.repeat(2001)} }`, 'Token limit of 2000 exceeded.'],
    [
      'aliases, __typename ones included',
      `{ ${Array.from({ length: 600 }, (_, i) => `a${i}: __typename`).join(' ')} }`,
      'Aliases limit of 20 exceeded, found 600.',
    ],
    [
      'depth',
      '{ myOrders { edges { node { store { menu { store { menu { store { menu { store { menu { store { menu { id } } } } } } } } } } } } } }',
      /^Query depth limit of 12 exceeded, found \d+\.$/,
    ],
  ])(
    'refuses an operation past the limit of %s with 400 GRAPHQL_VALIDATION_FAILED naming it',
    async (_, query, message) => {
      const reply = await gql(customer, query);
      expect(reply.status).toBe(400);
      expect(reply.errors).toHaveLength(1);
      expect(reply.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(reply.errors?.[0]?.message).toMatch(message);
    },
  );

  it('refuses a number past the range of a double (1e400) as BAD_USER_INPUT, for anyone, and stores nothing', async () => {
    const anonymous = await gql(
      null,
      '{ stores(near: { lat: 1e400, lng: 127 }) { edges { cursor } } }',
    );
    expect(anonymous.status).toBe(400);
    expect(anonymous.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'near.lat',
    });
    const before = await ordersOfCustomer();
    const literal = await gql(
      customer,
      `mutation { placeOrder(input: { storeId: "store-gangnam-chicken", items: [{ menuItemId: "gangnam-chicken-fried", quantity: 1 }],
        deliveryAddress: { address: "Home", location: { lat: 1e400, lng: 127 } }, payment: { cardToken: "tok_visa" } }) { order { id } } }`,
    );
    expect(literal.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.deliveryAddress.location.lat',
    });
    const variable = await send(
      `{"query": ${JSON.stringify(placeOrderMutation)}, "variables": {"input": ${JSON.stringify(orderInput()).replace('37.5006', '1e400')}}}`,
      { authorization: `Bearer ${customer}` },
    );
    expect(variable.status).toBe(400);
    expect(variable.body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(await ordersOfCustomer()).toBe(before);
  });

  it('refuses an address that is not UTF-8, or not well-formed Unicode, as BAD_USER_INPUT, and stores nothing', async () => {
    const before = await ordersOfCustomer();
    const body = Buffer.from(
      JSON.stringify({
        query: placeOrderMutation,
        variables: { input: orderInput({ address: 'Teheran-ro XX' }) },
      }),
    );
    const at = body.indexOf('XX');
    body[at] = 0xc3; // a UTF-8 lead byte ...
    body[at + 1] = 0x28; // ... followed by no continuation byte
    const notUtf8 = await send(body, { authorization: `Bearer ${customer}` });
    expect(notUtf8.status).toBe(400);
    expect(notUtf8.body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    const loneSurrogate = await gql(customer, placeOrderMutation, {
      input: orderInput({ address: 'Teheran-ro \ud800' }),
    });
    expect(loneSurrogate.status).toBe(400);
    expect(loneSurrogate.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: '$input.deliveryAddress.address',
    });
    expect(await ordersOfCustomer()).toBe(before);
  });

  it('answers a body that is not JSON, or too large, with a GraphQL response carrying a code', async () => {
    const malformed = await send('{"query": "{ __typename }"');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
    const oversized = await send(
      JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(200_000) }),
    );
    expect(oversized.status).toBe(413);
    expect(oversized.body.errors?.[0]).toMatchObject({
      message: 'The request body is larger than 100 KiB.',
      extensions: { code: 'PAYLOAD_TOO_LARGE' },
    });
  });
});

/** A graphql-ws socket signed in with `token`: acknowledged, or closed with a code. */
interface SignIn {
  readonly socket: WebSocket;
  readonly closed?: { code: number; reason: string };
}

const sockets: WebSocket[] = [];

/** Opens a socket and signs in; resolves once the router acknowledges or closes it. */
async function connect(token: string): Promise<SignIn> {
  const socket = new WebSocket(stack.routerUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  socket.setMaxListeners(0);
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('close', (code, reason) =>
      resolve({ socket, closed: { code, reason: String(reason) } }),
    );
    socket.once('open', () =>
      socket.send(
        JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }),
      ),
    );
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve({ socket });
    });
  });
}

/**
 * Sends a subscription; `refused` resolves with the first error it is answered with: refused
 * before it started (an `error` message) or when it opened (a `next` carrying errors).
 */
function subscribe(socket: WebSocket, query: string) {
  const id = randomUUID();
  const refused = new Promise<{ message: string; extensions: Record<string, unknown> }>(
    (resolve) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data));
        if (message.id !== id) return;
        if (message.type === 'error') resolve(message.payload[0]);
        if (message.type === 'next' && message.payload.errors) resolve(message.payload.errors[0]);
      });
    },
  );
  socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
  return { id, refused };
}

const offers =
  'subscription { deliveryAvailable(near: { lat: 37.5, lng: 127.03 }, radiusKm: 3) { id } }';
const rider = (id: string) => tokenFor({ role: 'RIDER', id });

async function liveCounters() {
  const text = await (await fetch(stack.metricsUrl)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);
  return {
    connections: value('baedal_router_live_connections'),
    subscriptions: value('baedal_router_live_subscriptions'),
  };
}

describe('who may read a delivery', () => {
  it('refuses a rider 29 km away, who is not offered the delivery, by id and by claim', async () => {
    const journey = await Journey.start(stack.routerUrl, { timeoutMs: 90_000 });
    const order = await journey.placed();
    await journey.advance(order.id, 'READY_FOR_PICKUP');
    const deliveryId = await journey.deliveryOf(order.id);
    // Incheon, about 29 km west of the Gangnam store.
    await journey.must(
      'otherRider',
      'mutation($l: LocationInput!) { updateRiderLocation(input: { location: $l }) { rider { id } } }',
      { l: { lat: 37.4563, lng: 126.7052 } },
    );
    const read = (who: 'rider' | 'otherRider') =>
      journey.as<{ delivery: { id: string } | null }>(
        who,
        'query($id: ID!) { delivery(id: $id) { id feeWon store { id } pickup { name } } }',
        { id: deliveryId },
      );
    const far = await read('otherRider');
    expect(errorCodes(far)).toEqual(['FORBIDDEN']);
    expect(far.data?.delivery ?? null).toBeNull();
    expect(
      errorCodes(await journey.delivery('claimDelivery', deliveryId, {}, 'otherRider')),
    ).toEqual(['FORBIDDEN']);
    // The rider by the store, to whom it is offered, reads it.
    expect((await read('rider')).data?.delivery?.id).toBe(deliveryId);
  });
});

describe('the live endpoint', () => {
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await eventually(async () =>
      expect(await liveCounters()).toEqual({ connections: 0, subscriptions: 0 }),
    );
  });

  it('refuses a person a connection past their limit, with 4429', async () => {
    const token = await rider('rider-limit-1');
    for (let i = 0; i < 3; i++) expect((await connect(token)).closed).toBeUndefined();
    expect((await connect(token)).closed).toEqual({
      code: 4429,
      reason: 'At most 3 connections per person.',
    });
    // Someone else still gets in.
    expect((await connect(await rider('rider-limit-2'))).closed).toBeUndefined();
  });

  it('refuses any connection past the replica limit, with 1013 (try again later)', async () => {
    let accepted = 0;
    let refusal: SignIn['closed'];
    for (let i = 0; i < 12 && !refusal; i++) {
      const signIn = await connect(await rider(`rider-crowd-${Math.floor(i / 3)}`));
      if (signIn.closed) refusal = signIn.closed;
      else accepted += 1;
    }
    expect(accepted).toBe(Number(liveLimits.LIVE_MAX_CONNECTIONS));
    expect(refusal).toEqual({
      code: 1013,
      reason: 'This server is at its limit of 8 connections; try again later.',
    });
  });

  it('refuses a person a subscription past their limit, across connections, with TOO_MANY_SUBSCRIPTIONS', async () => {
    const token = await rider('rider-subscriptions');
    const [first, second] = [await connect(token), await connect(token)];
    for (let i = 0; i < 4; i++) subscribe((i % 2 ? first : second).socket, offers);
    await eventually(async () => expect((await liveCounters()).subscriptions).toBe(4));
    const refused = await subscribe(first.socket, offers).refused;
    expect(refused).toMatchObject({
      message: 'At most 4 subscriptions at once per person.',
      extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
    });
    expect((await liveCounters()).subscriptions).toBe(4);
  });

  it('refuses new subscriptions past the rate per person, with RATE_LIMITED', async () => {
    const { socket } = await connect(await rider('rider-rate'));
    // Each attempt counts, even one refused for its arguments.
    const offGlobe = 'subscription { deliveryAvailable(near: { lat: 95, lng: 0 }) { id } }';
    for (let i = 0; i < 10; i++) {
      expect((await subscribe(socket, offGlobe).refused).extensions.code).toBe('BAD_USER_INPUT');
    }
    const refused = await subscribe(socket, offers).refused;
    expect(refused.extensions.code).toBe('RATE_LIMITED');
    expect(refused.message).toMatch(
      /^At most 10 new subscriptions a minute per person; retry in \d+ s\.$/,
    );
    expect((await liveCounters()).subscriptions).toBe(0);
  });

  it('closes every connection of a person who floods one with subscriptions far past the rate, with 4429', async () => {
    const token = await rider('rider-flood');
    const [{ socket }, { socket: quiet }] = [await connect(token), await connect(token)];
    const { socket: someoneElse } = await connect(await rider('rider-beside-flood'));
    const closing = (ws: WebSocket) =>
      new Promise<{ code: number; reason: string }>((resolve) =>
        ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
      );
    const [closed, quietClosed] = [closing(socket), closing(quiet)];
    // Twice the rate, then more, at once: no answer is awaited.
    for (let i = 0; i < 500; i++) subscribe(socket, offers);
    const flooding = { code: 4429, reason: 'Far more than 10 new subscriptions a minute.' };
    expect(await closed).toEqual(flooding);
    expect(await quietClosed).toEqual(flooding);
    expect((await liveCounters()).subscriptions).toBeLessThanOrEqual(4);
    expect(someoneElse.readyState).toBe(WebSocket.OPEN);
  });

  it('refuses bad input over the socket as over HTTP', async () => {
    const { socket } = await connect(await rider('rider-input'));
    const offRange = await subscribe(
      socket,
      'subscription { deliveryAvailable(near: { lat: 1e400, lng: 0 }) { id } }',
    ).refused;
    expect(offRange.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'near.lat' });
    const syntax = await subscribe(socket, 'subscription { deliveryAvailable(').refused;
    expect(syntax.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});
