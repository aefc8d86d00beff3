import { randomUUID } from 'node:crypto';
import { orderPlaced } from '@baedal/contracts';
import { eventStream, Outbox, publishEvent } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { createLogger } from '@baedal/service-kit';
import {
  errorCodes,
  eventually,
  type SubgraphUnderTest,
  startSubgraphForTest,
} from '@baedal/service-kit/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKitchenConfig } from './config.js';
import { connectDatabase, type Db } from './db.js';
import { start } from './server.js';
import { KitchenTicketRepository } from './tickets/kitchen-ticket.repository.js';

const owner = { id: 'owner-1', role: 'STORE_OWNER' } as const;
const otherOwner = { id: 'owner-2', role: 'STORE_OWNER' } as const;
const customer = { id: 'customer-1', role: 'CUSTOMER' } as const;

let kitchen: SubgraphUnderTest<Db>;
let db: Db;
let redis: Redis;
let prefix: string;
let call: SubgraphUnderTest<Db>['call'];

beforeAll(async () => {
  kitchen = await startSubgraphForTest(
    'kitchen',
    (env) => start(loadKitchenConfig({ ...env, SEED_DEMO_DATA: 'true' })),
    connectDatabase,
  );
  ({ db, redis, prefix, call } = kitchen);
});

afterAll(() => kitchen?.[Symbol.asyncDispose]());

/** Plays the order subgraph: a paid order for the Gangnam chicken store arrives. */
async function placeOrder(): Promise<string> {
  const orderId = randomUUID();
  await publishEvent(
    redis,
    prefix,
    orderPlaced.create(
      {
        orderId,
        customerId: customer.id,
        storeId: 'store-gangnam-chicken',
        items: [
          {
            menuItemId: 'gangnam-chicken-fried',
            name: 'Fried chicken',
            quantity: 2,
            unitPriceWon: 19000,
          },
        ],
        express: false,
        subtotalWon: 38000,
        deliveryFeeWon: 3000,
        expressFeeWon: 0,
        totalWon: 41000,
        deliveryAddress: { address: '152 Teheran-ro', location: { lat: 37.5006, lng: 127.0364 } },
      },
      { actor: customer },
    ),
  );
  await eventually(async () =>
    expect(await db.kitchenTicket.count({ where: { orderId } })).toBe(1),
  );
  return orderId;
}

const act = (mutation: string, viewer: Viewer | null, orderId: string) =>
  call<Record<string, { ticket: { status: string } }>>(
    viewer,
    `mutation($orderId: ID!) { ${mutation}(input: { orderId: $orderId }) { ticket { status } } }`,
    { orderId },
  );

const kitchenEvents = async () =>
  (await redis.xrange(eventStream(prefix, 'kitchen'), '-', '+')).map(([, fields]) =>
    JSON.parse(fields[3]!),
  );

describe('kitchen subgraph', () => {
  it('shows stores near a location with their menus, nearest first', async () => {
    const response = await call<{
      stores: { edges: { distanceKm: number; node: { id: string } }[] };
    }>(
      null,
      '{ stores(near: { lat: 37.4979, lng: 127.0276 }, radiusKm: 3) { edges { distanceKm node { id menu { id } } } } }',
    );
    expect(response.data?.stores.edges.map((edge) => edge.node.id)).toEqual([
      'store-gangnam-chicken',
      'store-gangnam-jjajang',
    ]);
  });

  it("publishes each demo store's menu for the order subgraph's replica", async () => {
    const menus = (await kitchenEvents()).filter(
      (event) => event.type === 'kitchen.store-menu.published',
    );
    expect(menus.map((event) => event.payload.storeId)).toContain('store-jongno-bibimbap');
  });

  it('turns a paid order into a pending ticket that the owner sees among the store orders', async () => {
    const orderId = await placeOrder();
    const response = await call<{
      store: { tickets: { edges: { node: { id: string; status: string } }[] } };
    }>(
      owner,
      '{ store(id: "store-gangnam-chicken") { tickets(status: [PENDING]) { edges { node { id status } } } } }',
    );
    expect(response.data?.store.tickets.edges.map((edge) => edge.node)).toContainEqual({
      id: orderId,
      status: 'PENDING',
    });
  });

  it('lets the owner accept, start and finish cooking, announcing each step', async () => {
    const orderId = await placeOrder();
    for (const [mutation, status] of [
      ['acceptOrder', 'ACCEPTED'],
      ['startCooking', 'COOKING'],
      ['finishCooking', 'READY'],
    ] as const) {
      expect((await act(mutation, owner, orderId)).data?.[mutation]?.ticket.status).toBe(status);
    }
    await eventually(async () => {
      const types = (await kitchenEvents())
        .filter((event) => event.correlationId === orderId)
        .map((event) => event.type);
      expect(types).toEqual([
        'kitchen.order.received',
        'kitchen.order.accepted',
        'kitchen.cooking.started',
        'kitchen.order.ready-for-pickup',
      ]);
    });
  });

  it('counts cooked portions towards the popular items', async () => {
    const before = (await db.menuItem.findUniqueOrThrow({ where: { id: 'gangnam-chicken-fried' } }))
      .cookedCount;
    const orderId = await placeOrder();
    await act('acceptOrder', owner, orderId);
    await act('startCooking', owner, orderId);
    const after = (await db.menuItem.findUniqueOrThrow({ where: { id: 'gangnam-chicken-fried' } }))
      .cookedCount;
    expect(after).toBe(before + 2);
  });

  it('refuses a transition the status does not allow, with the current status, and changes nothing', async () => {
    const orderId = await placeOrder();
    const response = await act('startCooking', owner, orderId);
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentStatus: 'PENDING',
    });
    expect((await db.kitchenTicket.findUniqueOrThrow({ where: { orderId } })).status).toBe(
      'PENDING',
    );
  });

  it("refuses another owner's, a customer's and an anonymous attempt, and changes nothing", async () => {
    const orderId = await placeOrder();
    expect(errorCodes(await act('acceptOrder', otherOwner, orderId))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await act('acceptOrder', customer, orderId))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await act('acceptOrder', null, orderId))).toEqual(['UNAUTHENTICATED']);
    expect((await db.kitchenTicket.findUniqueOrThrow({ where: { orderId } })).status).toBe(
      'PENDING',
    );
  });

  it('refuses to save a ticket over a newer version of it, so an order is accepted once', async () => {
    const orderId = await placeOrder();
    const outbox = new Outbox(db, {
      redis,
      stream: eventStream(prefix, 'kitchen'),
      logger: createLogger('test', { level: 'silent', format: 'json' }),
    });
    const tickets = new KitchenTicketRepository(outbox);
    const stale = (await tickets.find(db, orderId))!;
    const fresh = (await tickets.find(db, orderId))!;
    fresh.accept(owner, new Date());
    await outbox.transaction((tx) => tickets.save(tx, fresh));

    stale.accept(owner, new Date());
    await expect(outbox.transaction((tx) => tickets.save(tx, stale))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const accepted = await db.$queryRaw<{ id: string }[]>`
      SELECT id FROM outbox_event
      WHERE type = 'kitchen.order.accepted' AND envelope->>'correlationId' = ${orderId}`;
    expect(accepted).toHaveLength(1);
  });

  it('names the field of an unknown order id', async () => {
    const response = await act('acceptOrder', owner, randomUUID());
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.orderId',
    });
  });

  it('answers a store id no store can have as unknown, not as an error', async () => {
    for (const id of ['no-such-store', 'store-gangnam-chicken\u0000', 'x'.repeat(101)]) {
      const response = await call<{ store: { id: string } | null }>(
        null,
        'query($id: ID!) { store(id: $id) { id } }',
        { id },
      );
      expect(response.errors).toBeUndefined();
      expect(response.data?.store).toBeNull();
    }
  });

  it("hides a store's orders from everyone but its owner", async () => {
    const response = await call(
      otherOwner,
      '{ store(id: "store-gangnam-chicken") { tickets { edges { cursor } } } }',
    );
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
  });

  it('publishes a changed menu item, and refuses a bad price by name', async () => {
    const update = (priceWon: number) =>
      call<{ updateMenuItem: { menuItem: { priceWon: number } } }>(
        owner,
        'mutation($price: Int) { updateMenuItem(input: { menuItemId: "gangnam-chicken-cola", priceWon: $price }) { menuItem { priceWon } } }',
        { price: priceWon },
      );
    expect((await update(3000)).data?.updateMenuItem.menuItem.priceWon).toBe(3000);
    await eventually(async () => {
      const latest = (await kitchenEvents())
        .filter(
          (event) =>
            event.type === 'kitchen.store-menu.published' &&
            event.correlationId === 'store-gangnam-chicken',
        )
        .at(-1);
      expect(latest.payload.items).toContainEqual(
        expect.objectContaining({ id: 'gangnam-chicken-cola', priceWon: 3000 }),
      );
    });

    const refused = await update(-1);
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.priceWon',
    });
    expect(
      (await db.menuItem.findUniqueOrThrow({ where: { id: 'gangnam-chicken-cola' } })).priceWon,
    ).toBe(3000);
  });

  it('names the field of an unknown menu item, and of a name with control characters', async () => {
    const update = (menuItemId: string, name: string) =>
      call(
        owner,
        'mutation($id: ID!, $name: String) { updateMenuItem(input: { menuItemId: $id, name: $name }) { menuItem { id } } }',
        { id: menuItemId, name },
      );
    const cola = () => db.menuItem.findUniqueOrThrow({ where: { id: 'gangnam-chicken-cola' } });
    const before = await cola();
    for (const id of ['no-such-item', 'gangnam-chicken-cola\u0000', 'x'.repeat(101)]) {
      expect((await update(id, 'Cola')).errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.menuItemId',
      });
    }
    expect(
      (await update('gangnam-chicken-cola', 'Co\u0000la')).errors?.[0]?.extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect(await cola()).toEqual(before);
  });

  it('refuses coordinates off the globe by field name', async () => {
    const response = await call(null, '{ stores(near: { lat: 91, lng: 0 }) { edges { cursor } } }');
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'near.lat',
    });
  });

  it('refuses a request that did not come through the router', async () => {
    expect(errorCodes(await call('no-assertion', '{ myStores { id } }'))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });
});
