import { randomUUID } from 'node:crypto';
import { eventStream, Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { createLogger } from '@baedal/service-kit';
import { errorCodes, eventually } from '@baedal/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './db.js';
import {
  act as actOn,
  announced,
  customer,
  type Kitchen,
  otherOwner,
  owner,
  placeOrder as placeOrderIn,
  startKitchen,
  ticketRow,
} from './kitchen.testing.js';
import { KitchenTicketRepository } from './tickets/kitchen-ticket.repository.js';

let kitchen: Kitchen;
let db: Db;
let call: Kitchen['call'];

beforeAll(async () => {
  kitchen = await startKitchen();
  ({ db, call } = kitchen);
});

afterAll(() => kitchen?.[Symbol.asyncDispose]());

const placeOrder = () => placeOrderIn(kitchen);
const act = (mutation: string, viewer: Viewer | null, orderId: string) =>
  actOn(kitchen, mutation, viewer, orderId);

const kitchenEvents = async () =>
  (await kitchen.redis.xrange(eventStream(kitchen.prefix, 'kitchen'), '-', '+')).map(([, fields]) =>
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
    for (const menu of menus) {
      // Version 2: delivery fees are the platform's now, so a store's menu carries none.
      expect(menu.version).toBe(2);
      expect(menu.payload).not.toHaveProperty('deliveryFeeWon');
    }
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

  it('lists 1 to 50 popular items, the default for an explicit null, and refuses others', async () => {
    const popular = (first: number | null) =>
      call<{ store: { popularItems: { id: string }[] } }>(
        null,
        'query($first: Int) { store(id: "store-gangnam-chicken") { popularItems(first: $first) { id } } }',
        { first },
      );
    expect((await popular(null)).data?.store.popularItems.length).toBeGreaterThan(0);
    for (const first of [0, 51]) {
      expect((await popular(first)).errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'first',
      });
    }
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
      redis: kitchen.redis,
      stream: eventStream(kitchen.prefix, 'kitchen'),
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

  describe('rejecting an order', () => {
    const reject = (viewer: Viewer | null, orderId: string, reason?: string) =>
      call<{ rejectOrder: { ticket: { status: string; closedAt: string; reason: string } } }>(
        viewer,
        `mutation($orderId: ID!, $reason: String) {
          rejectOrder(input: { orderId: $orderId, reason: $reason }) { ticket { status closedAt reason } }
        }`,
        { orderId, reason },
      );

    it('lets the owner reject a pending order with a reason, and announces it', async () => {
      const orderId = await placeOrder();
      const response = await reject(owner, orderId, 'Out of chicken tonight.');

      expect(response.data?.rejectOrder.ticket).toEqual({
        status: 'REJECTED',
        closedAt: expect.any(String),
        reason: 'Out of chicken tonight.',
      });
      expect((await announced(kitchen, orderId)).at(-1)).toMatchObject({
        type: 'kitchen.order.rejected',
        actor: owner,
        payload: { orderId, storeId: 'store-gangnam-chicken', reason: 'Out of chicken tonight.' },
      });
    });

    it('gives a rejection without a reason the default one', async () => {
      const orderId = await placeOrder();
      const response = await reject(owner, orderId);
      expect(response.data?.rejectOrder.ticket.reason).toBe('Rejected by the store.');
    });

    it("refuses another owner's, a customer's and an anonymous rejection, and changes nothing", async () => {
      const orderId = await placeOrder();
      const before = await ticketRow(kitchen, orderId);
      expect(errorCodes(await reject(otherOwner, orderId))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await reject(customer, orderId))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await reject(null, orderId))).toEqual(['UNAUTHENTICATED']);
      expect(await ticketRow(kitchen, orderId)).toEqual(before);
      expect((await announced(kitchen, orderId)).map((event) => event.type)).toEqual([
        'kitchen.order.received',
      ]);
    });

    it('refuses to reject an accepted order, with its status, and changes nothing', async () => {
      const orderId = await placeOrder();
      await act('acceptOrder', owner, orderId);
      const before = await ticketRow(kitchen, orderId);

      const response = await reject(owner, orderId, 'Too late.');
      expect(response.errors?.[0]?.extensions).toMatchObject({
        code: 'INVALID_TRANSITION',
        currentStatus: 'ACCEPTED',
      });
      expect(await ticketRow(kitchen, orderId)).toEqual(before);
      expect((await announced(kitchen, orderId)).map((event) => event.type)).not.toContain(
        'kitchen.order.rejected',
      );
    });

    it.each([
      ['an empty reason', ' '],
      ['a reason over 500 characters', 'x'.repeat(501)],
      ['a reason of several lines', 'Out of\nchicken'],
      ['a reason with control characters', 'Out of \u0000chicken'],
    ])('refuses %s by name, and changes nothing', async (_, reason) => {
      const orderId = await placeOrder();
      const before = await ticketRow(kitchen, orderId);
      expect((await reject(owner, orderId, reason)).errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.reason',
      });
      expect(await ticketRow(kitchen, orderId)).toEqual(before);
    });

    it('names the field of an unknown order id', async () => {
      expect((await reject(owner, randomUUID())).errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.orderId',
      });
    });
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
