import { errorCodes, eventually } from '@baedal/service-kit/testing';
import {
  isolatedPrefixes,
  patientCalls,
  routerClient,
  type Stack,
  startStack,
  tokenFor,
} from '@baedal/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The whole order path through the router, against the real processes (four subgraphs and
 * the router, started as `npm start` starts them) on PostgreSQL and Redis, with tokens of
 * the three roles.
 */

let stack: Stack;
let gql: ReturnType<typeof routerClient>;
const token: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack({
    ...isolatedPrefixes('e2e'),
    ports: 'any',
    dropDatabases: true,
    env: {
      ...patientCalls,
      LOG_LEVEL: 'warn',
    },
  });
  gql = routerClient(stack.routerUrl);
  const people = {
    customer: { role: 'CUSTOMER', id: 'customer-1' },
    otherCustomer: { role: 'CUSTOMER', id: 'customer-2' },
    owner: { role: 'STORE_OWNER', id: 'owner-1' },
    otherOwner: { role: 'STORE_OWNER', id: 'owner-2' },
    rider: { role: 'RIDER', id: 'rider-1' },
    otherRider: { role: 'RIDER', id: 'rider-4' },
  } as const;
  for (const [name, viewer] of Object.entries(people)) token[name] = await tokenFor(viewer);
}, 180_000);

afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

const placeOrder = (cardToken = 'tok_visa') =>
  gql<{
    placeOrder: {
      order: { id: string; status: string; totalWon: number; timeline: { status: string }[] };
    };
  }>(
    token.customer!,
    `mutation($input: PlaceOrderInput!) {
      placeOrder(input: $input) { order { id status totalWon timeline { status } } }
    }`,
    {
      input: {
        storeId: 'store-gangnam-chicken',
        items: [
          { menuItemId: 'gangnam-chicken-fried', quantity: 1 },
          { menuItemId: 'gangnam-chicken-radish', quantity: 2 },
        ],
        deliveryAddress: {
          address: '152 Teheran-ro, Gangnam-gu',
          location: { lat: 37.5006, lng: 127.0364 },
        },
        payment: { cardToken },
      },
    },
  );

const orderAsCustomer = (orderId: string) =>
  gql<{
    order: {
      status: string;
      timeline: { status: string; actor: { role: string; id: string | null } }[];
    };
  }>(
    token.customer!,
    'query($id: ID!) { order(id: $id) { status timeline { status actor { role id } } } }',
    { id: orderId },
  );

/** Waits until the customer's view of the order (the order subgraph's read model) shows `status`. */
async function expectStatus(orderId: string, status: string, timeline: string[]) {
  await eventually(async () => {
    const { data } = await orderAsCustomer(orderId);
    expect(data?.order.status).toBe(status);
    expect(data?.order.timeline.map((entry) => entry.status)).toEqual(timeline);
  });
}

const kitchenStep = (mutation: string, who: string, orderId: string) =>
  gql<Record<string, { ticket: { status: string } }>>(
    token[who]!,
    `mutation($orderId: ID!) { ${mutation}(input: { orderId: $orderId }) { ticket { status } } }`,
    { orderId },
  );

const deliveryStep = (mutation: string, who: string, deliveryId: string) =>
  gql<Record<string, { delivery: { status: string } }>>(
    token[who]!,
    `mutation($deliveryId: ID!) { ${mutation}(input: { deliveryId: $deliveryId }) { delivery { status } } }`,
    { deliveryId },
  );

describe('the order path through the router', () => {
  it('takes an order from placement to delivery, step by step, for customer, owner and rider', async () => {
    // The customer orders: priced by the order subgraph, paid synchronously.
    const placed = await placeOrder();
    expect(placed.errors).toBeUndefined();
    const order = placed.data!.placeOrder.order;
    expect(order).toMatchObject({ status: 'PLACED', totalWon: 19000 + 2 * 500 + 3000 });
    const steps = ['PAYMENT_PENDING', 'PLACED'];
    await expectStatus(order.id, 'PLACED', steps);

    // The owner sees it among the store's orders once the kitchen has it.
    await eventually(async () => {
      const { data } = await gql<{ store: { tickets: { edges: { node: { id: string } }[] } } }>(
        token.owner!,
        '{ store(id: "store-gangnam-chicken") { tickets(status: [PENDING]) { edges { node { id } } } } }',
      );
      expect(data?.store.tickets.edges.map((edge) => edge.node.id)).toContain(order.id);
    });

    // The owner accepts, cooks and finishes; the customer's read model follows each step.
    for (const [mutation, ticketStatus, orderStatus] of [
      ['acceptOrder', 'ACCEPTED', 'ACCEPTED'],
      ['startCooking', 'COOKING', 'COOKING'],
      ['finishCooking', 'READY', 'READY_FOR_PICKUP'],
    ] as const) {
      const response = await kitchenStep(mutation, 'owner', order.id);
      expect(response.data?.[mutation]?.ticket.status).toBe(ticketStatus);
      steps.push(orderStatus);
      await expectStatus(order.id, orderStatus, steps);
    }

    // A rider near the store sees the delivery, claims it and picks the food up.
    const moved = await gql(
      token.rider!,
      'mutation { updateRiderLocation(input: { location: { lat: 37.4985, lng: 127.029 } }) { rider { id } } }',
    );
    expect(moved.errors).toBeUndefined();
    let deliveryId = '';
    await eventually(async () => {
      const { data } = await gql<{
        availableDeliveries: {
          edges: {
            distanceKm: number;
            node: { id: string; order: { id: string } | null; store: { id: string } };
          }[];
        };
      }>(token.rider!, '{ availableDeliveries { edges { distanceKm node { id store { id } } } } }');
      const edge = data?.availableDeliveries.edges.find(
        (e) => e.node.store.id === 'store-gangnam-chicken',
      );
      expect(edge).toBeDefined();
      deliveryId = edge!.node.id;
    });

    for (const [mutation, deliveryStatus, orderStatus] of [
      ['claimDelivery', 'ASSIGNED', 'RIDER_ASSIGNED'],
      ['pickUpDelivery', 'PICKED_UP', 'PICKED_UP'],
    ] as const) {
      const response = await deliveryStep(mutation, 'rider', deliveryId);
      expect(response.errors).toBeUndefined();
      expect(response.data?.[mutation]?.delivery.status).toBe(deliveryStatus);
      steps.push(orderStatus);
      await expectStatus(order.id, orderStatus, steps);
    }

    // The customer confirms receipt.
    const confirmed = await gql<{ confirmDelivery: { order: { status: string } } }>(
      token.customer!,
      'mutation($orderId: ID!) { confirmDelivery(input: { orderId: $orderId }) { order { status } } }',
      { orderId: order.id },
    );
    expect(confirmed.data?.confirmDelivery.order.status).toBe('DELIVERED');
    steps.push('DELIVERED');
    await expectStatus(order.id, 'DELIVERED', steps);
    const { data: final } = await orderAsCustomer(order.id);
    expect(final?.order.timeline.map((entry) => entry.actor)).toEqual([
      { role: 'CUSTOMER', id: 'customer-1' },
      { role: 'CUSTOMER', id: 'customer-1' },
      { role: 'STORE_OWNER', id: 'owner-1' },
      { role: 'STORE_OWNER', id: 'owner-1' },
      { role: 'STORE_OWNER', id: 'owner-1' },
      { role: 'RIDER', id: 'rider-1' },
      { role: 'RIDER', id: 'rider-1' },
      { role: 'CUSTOMER', id: 'customer-1' },
    ]);

    // One query reaches the payment, the kitchen ticket and the delivery through federation
    // (the kitchen and the delivery hear of the confirmation by its event).
    await eventually(async () => {
      const full = await gql<{
        order: {
          status: string;
          payment: { status: string; amountWon: number };
          kitchenTicket: { status: string; items: { name: string; quantity: number }[] };
          delivery: { status: string; rider: { id: string; name: string } };
        };
      }>(
        token.customer!,
        `query($id: ID!) { order(id: $id) {
        status
        payment { status amountWon }
        kitchenTicket { status items { name quantity } }
        delivery { status rider { id name } }
      } }`,
        { id: order.id },
      );
      expect(full.errors).toBeUndefined();
      expect(full.data?.order).toMatchObject({
        status: 'DELIVERED',
        payment: { status: 'CAPTURED', amountWon: order.totalWon },
        kitchenTicket: {
          status: 'DELIVERED',
          items: expect.arrayContaining([expect.objectContaining({ quantity: 2 })]),
        },
        delivery: { status: 'DELIVERED', rider: { id: 'rider-1', name: 'Kang Dohyun' } },
      });
    });
  });
});

describe('refusals through the router', () => {
  it("keeps a customer out of another customer's order", async () => {
    const order = (await placeOrder()).data!.placeOrder.order;
    const response = await gql(token.otherCustomer!, 'query($id: ID!) { order(id: $id) { id } }', {
      id: order.id,
    });
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });

  it("refuses an owner acting on another owner's order, and changes nothing", async () => {
    const order = (await placeOrder()).data!.placeOrder.order;
    // FORBIDDEN once the kitchen has the order (before that, the id is unknown to it).
    await eventually(async () => {
      expect(errorCodes(await kitchenStep('acceptOrder', 'otherOwner', order.id))).toEqual([
        'FORBIDDEN',
      ]);
    });
    expect((await orderAsCustomer(order.id)).data?.order.status).toBe('PLACED');
  });

  it('refuses a transition the state does not allow, with the current state', async () => {
    const order = (await placeOrder()).data!.placeOrder.order;
    await eventually(async () => {
      const response = await kitchenStep('finishCooking', 'owner', order.id);
      expect(response.errors?.[0]?.extensions).toMatchObject({
        code: 'INVALID_TRANSITION',
        currentStatus: 'PENDING',
      });
    });
    const early = await gql(
      token.customer!,
      'mutation($orderId: ID!) { confirmDelivery(input: { orderId: $orderId }) { order { status } } }',
      { orderId: order.id },
    );
    expect(early.errors?.[0]?.extensions).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentStatus: 'PLACED',
    });
  });

  it('refuses bad input by field name and creates nothing', async () => {
    const before = (
      await gql<{ myOrders: { edges: unknown[] } }>(
        token.customer!,
        '{ myOrders(first: 100) { edges { cursor } } }',
      )
    ).data!.myOrders.edges.length;
    const response = await gql(
      token.customer!,
      `mutation { placeOrder(input: {
        storeId: "store-gangnam-chicken",
        items: [{ menuItemId: "gangnam-chicken-fried", quantity: 0 }],
        deliveryAddress: { address: "Home", location: { lat: 37.5, lng: 127.03 } },
        payment: { cardToken: "tok_visa" }
      }) { order { id } } }`,
    );
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.items[0].quantity',
    });
    const after = (
      await gql<{ myOrders: { edges: unknown[] } }>(
        token.customer!,
        '{ myOrders(first: 100) { edges { cursor } } }',
      )
    ).data!.myOrders.edges.length;
    expect(after).toBe(before);
  });

  it("refuses a rider's claim of a delivery beyond the dispatch radius", async () => {
    const order = (await placeOrder()).data!.placeOrder.order;
    for (const mutation of ['acceptOrder', 'startCooking', 'finishCooking']) {
      await eventually(async () =>
        expect((await kitchenStep(mutation, 'owner', order.id)).errors).toBeUndefined(),
      );
    }
    await gql(
      token.otherRider!,
      'mutation { updateRiderLocation(input: { location: { lat: 37.5665, lng: 126.978 } }) { rider { id } } }',
    );
    let deliveryId = '';
    await eventually(async () => {
      const { data } = await gql<{ order: { delivery: { id: string } | null } }>(
        token.customer!,
        'query($id: ID!) { order(id: $id) { delivery { id } } }',
        { id: order.id },
      );
      deliveryId = data!.order.delivery!.id;
    });
    expect(errorCodes(await deliveryStep('claimDelivery', 'otherRider', deliveryId))).toEqual([
      'FORBIDDEN',
    ]);
  });

  it('refuses a declined card and keeps the order away from the store', async () => {
    const response = await placeOrder('tok_declined');
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'PAYMENT_DECLINED' });
    const orderId = response.errors![0]!.extensions!.orderId as string;
    expect((await orderAsCustomer(orderId)).data?.order.status).toBe('PAYMENT_PENDING');
    const { data } = await gql<{ order: { kitchenTicket: unknown } }>(
      token.customer!,
      'query($id: ID!) { order(id: $id) { kitchenTicket { status } } }',
      { id: orderId },
    );
    expect(data?.order.kitchenTicket).toBeNull();
  });

  it('refuses mutations without a token, and any request with a bad token', async () => {
    const anonymous = await gql(
      null,
      'mutation { confirmDelivery(input: { orderId: "x" }) { order { id } } }',
    );
    expect(errorCodes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const forged = await gql(
      'not-a-token',
      '{ stores(near: { lat: 37.5, lng: 127 }) { edges { cursor } } }',
    );
    expect(forged.status).toBe(401);
    expect(errorCodes(forged)).toEqual(['UNAUTHENTICATED']);
  });

  it('lets nobody call a subgraph around the router', async () => {
    const response = await fetch(stack.urls.order, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.customer}` },
      body: JSON.stringify({ query: '{ myOrders { edges { cursor } } }' }),
    });
    expect(response.status).toBe(401);
    expect(
      ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!
        .extensions.code,
    ).toBe('UNAUTHENTICATED');
  });
});
