import { randomUUID } from 'node:crypto';
import { orderCanceled, orderDelivered, orderReadyForPickup } from '@baedal/contracts';
import { riders } from '@baedal/demo-data';
import { type Coordinates, distanceKm } from '@baedal/domain';
import { type EventEnvelope, eventStream, Outbox, publishEvent } from '@baedal/event-bus';
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
import { loadDeliveryConfig } from './config.js';
import { connectDatabase, type Db } from './db.js';
import { DeliveryRepository } from './deliveries/delivery.repository.js';
import { seedDelivery } from './seed.js';
import { start } from './server.js';

/** Near the Gangnam stores. */
const nearRider = { id: 'rider-1', role: 'RIDER' } as const;
/** Also near the Gangnam stores (about 2 km away). */
const otherNearRider = { id: 'rider-4', role: 'RIDER' } as const;
/** In Hongdae, about 11 km from Gangnam. */
const farRider = { id: 'rider-2', role: 'RIDER' } as const;
const customer = { id: 'customer-1', role: 'CUSTOMER' } as const;
const otherCustomer = { id: 'customer-2', role: 'CUSTOMER' } as const;
const owner = { id: 'owner-1', role: 'STORE_OWNER' } as const;
const admin = { id: 'admin-1', role: 'ADMIN' } as const;

const gangnamChicken = {
  id: 'store-gangnam-chicken',
  name: 'Gangnam Chicken 강남치킨',
  address: '396 Gangnam-daero, Gangnam-gu, Seoul',
  location: { lat: 37.4979, lng: 127.0276 },
};
const home = { address: '152 Teheran-ro', location: { lat: 37.5006, lng: 127.0364 } };

/** A point `km` due north of the Gangnam chicken store (a degree of latitude is 111.2 km). */
const northOfStore = (km: number): Coordinates => ({
  lat: gangnamChicken.location.lat + km / 111.195,
  lng: gangnamChicken.location.lng,
});

let delivery: SubgraphUnderTest<Db>;
let db: Db;
let redis: Redis;
let prefix: string;
let call: SubgraphUnderTest<Db>['call'];

beforeAll(async () => {
  delivery = await startSubgraphForTest(
    'delivery',
    (env) => start(loadDeliveryConfig({ ...env, SEED_DEMO_DATA: 'true' })),
    connectDatabase,
  );
  ({ db, redis, prefix, call } = delivery);
});

afterAll(() => delivery?.[Symbol.asyncDispose]());

interface Ready {
  readonly express?: boolean;
  /** Where the food waits; the Gangnam chicken store unless given. */
  readonly pickupAt?: { lat: number; lng: number };
}

/** The kitchen's announcement that an order's food is ready at the Gangnam chicken store. */
const readyEvent = (orderId: string, { express = false, pickupAt }: Ready = {}) =>
  orderReadyForPickup.create(
    {
      orderId,
      storeId: gangnamChicken.id,
      storeOwnerId: owner.id,
      customerId: customer.id,
      pickup: {
        name: gangnamChicken.name,
        address: gangnamChicken.address,
        location: pickupAt ?? gangnamChicken.location,
      },
      dropoff: home,
      express,
      deliveryFeeWon: 3000,
      expressFeeWon: express ? 2000 : 0,
    },
    { actor: owner },
  );

/** Plays the kitchen: an order's food is ready. Resolves with the delivery it is offered as. */
async function foodReady(ready: Ready = {}) {
  const orderId = randomUUID();
  await publishEvent(redis, prefix, readyEvent(orderId, ready));
  return eventually(async () => {
    const delivery = await db.delivery.findUnique({ where: { orderId } });
    expect(delivery).not.toBeNull();
    return delivery!;
  });
}

const stored = (id: string) => db.delivery.findUniqueOrThrow({ where: { id } });

type DeliveryAction = { delivery: { id: string; status: string; rider: { id: string } | null } };

const act = (mutation: 'claimDelivery' | 'pickUpDelivery', viewer: Viewer | null, id: string) =>
  call<Record<string, DeliveryAction>>(
    viewer,
    `mutation($id: ID!) { ${mutation}(input: { deliveryId: $id }) { delivery { id status rider { id } } } }`,
    { id },
  );

const reportAccident = (viewer: Viewer | null, id: string, description: string) =>
  call<{
    reportAccident: {
      delivery: { id: string; status: string; closedAt: string | null; cancelReason: string };
    };
  }>(
    viewer,
    `mutation($id: ID!, $description: String!) {
      reportAccident(input: { deliveryId: $id, description: $description }) {
        delivery { id status closedAt cancelReason }
      }
    }`,
    { id, description },
  );

type Offer = { distanceKm: number; minutesToPickup: number; node: { id: string } };

const available = async (viewer: Viewer) =>
  (
    await call<{ availableDeliveries: { edges: Offer[] } }>(
      viewer,
      '{ availableDeliveries(first: 100) { edges { distanceKm minutesToPickup node { id } } } }',
    )
  ).data?.availableDeliveries.edges;

const availableIds = async (viewer: Viewer) =>
  (await available(viewer))?.map((edge) => edge.node.id);

/** Reads a delivery by id as `viewer`. */
const readDelivery = (viewer: Viewer | null, id: string) =>
  call<{ delivery: { id: string; status: string } | null }>(
    viewer,
    'query($id: ID!) { delivery(id: $id) { id status } }',
    { id },
  );

/** Moves a rider, as the rider does it: through the API. */
async function moveRider(rider: Viewer, location: Coordinates) {
  const response = await call(
    rider,
    'mutation($location: LocationInput!) { updateRiderLocation(input: { location: $location }) { rider { id } } }',
    { location },
  );
  expect(response.errors).toBeUndefined();
}

/** A rider of its own for one test, on `vehicle`, at `location` (none reported if null). */
async function newRider(
  vehicle: 'BICYCLE' | 'MOTORBIKE' | 'CAR',
  location: Coordinates | null,
): Promise<Viewer> {
  const rider = { id: `rider-${randomUUID()}`, role: 'RIDER' } as const;
  await db.rider.create({ data: { id: rider.id, name: `Test ${vehicle}`, vehicle } });
  if (location) await moveRider(rider, location);
  return rider;
}

/** Publishes another subgraph's event and waits until this subgraph has applied it. */
async function applied(event: EventEnvelope) {
  await publishEvent(redis, prefix, event);
  await eventually(async () =>
    expect(await db.processedEvent.findUnique({ where: { eventId: event.id } })).not.toBeNull(),
  );
}

/** The order subgraph's announcement that an order ended without delivery. */
const canceledEvent = (
  orderId: string,
  reason: string | null,
  status: 'CANCELED' | 'REJECTED' = 'CANCELED',
) =>
  orderCanceled.create(
    { orderId, customerId: customer.id, storeId: gangnamChicken.id, status, reason },
    { actor: customer },
  );

/** The events this subgraph published about an order. */
const deliveryEvents = async (orderId: string) =>
  (await redis.xrange(eventStream(prefix, 'delivery'), '-', '+'))
    .map(([, fields]) => JSON.parse(fields[3]!))
    .filter((event) => event.correlationId === orderId);

/** Events of a type that committed with an order's changes (published or not yet). */
const outboxed = (type: string, orderId: string) =>
  db.$queryRaw<{ id: string }[]>`
    SELECT id FROM outbox_event WHERE type = ${type} AND envelope->>'correlationId' = ${orderId}`;

/** How many of a producer's events this subgraph's consumer took but has not acknowledged. */
const unacknowledged = async (producer: string) =>
  ((await redis.xpending(eventStream(prefix, producer), 'delivery')) as [number])[0];

const entities = <T>(viewer: Viewer | null, representations: object[], selection: string) =>
  call<{ _entities: (T | null)[] }>(
    viewer,
    `query($representations: [_Any!]!) { _entities(representations: $representations) { ${selection} } }`,
    { representations },
  );

describe('delivery subgraph', () => {
  it('creates the demo riders where the demo data places them, once', async () => {
    const profile = await call<{ riderProfile: Record<string, unknown> }>(
      nearRider,
      '{ riderProfile { id name vehicle location { lat lng } locationUpdatedAt } }',
    );
    expect(profile.data?.riderProfile).toMatchObject({
      id: 'rider-1',
      name: 'Kang Dohyun',
      vehicle: 'MOTORBIKE',
      location: { lat: 37.4985, lng: 127.029 },
      locationUpdatedAt: expect.any(String),
    });

    const before = await db.rider.findMany({ orderBy: { id: 'asc' } });
    await seedDelivery(db);
    expect(await db.rider.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
    expect(before.map((rider) => rider.id)).toEqual(riders.map((rider) => rider.id));
  });

  it('offers a ready order as an available delivery and announces it', async () => {
    const delivery = await foodReady({ express: true });
    expect(delivery).toMatchObject({
      status: 'AVAILABLE',
      storeId: gangnamChicken.id,
      customerId: customer.id,
      express: true,
      feeWon: 5000,
      riderId: null,
    });
    await eventually(async () =>
      expect(await deliveryEvents(delivery.orderId)).toEqual([
        expect.objectContaining({
          type: 'delivery.offered',
          payload: expect.objectContaining({ deliveryId: delivery.id, feeWon: 5000 }),
        }),
      ]),
    );
  });

  it('shows an available delivery to a rider near the store, with the distance and travel time, and not to a far one', async () => {
    const delivery = await foodReady();
    const expectedKm = distanceKm({ lat: 37.4985, lng: 127.029 }, gangnamChicken.location);
    expect(await available(nearRider)).toContainEqual({
      node: { id: delivery.id },
      distanceKm: Math.round(expectedKm * 100) / 100,
      // 0.13 km × 1.3 by motorbike (30 km/h) is 0.34 minutes, rounded up.
      minutesToPickup: 1,
    });
    expect(await availableIds(farRider)).not.toContain(delivery.id);
  });

  it('lists available deliveries nearest first, page by page', async () => {
    // About 2 km north of the rider, then right where the rider is.
    const farther = await foodReady({ pickupAt: { lat: 37.5165, lng: 127.029 } });
    const nearer = await foodReady({ pickupAt: { lat: 37.4985, lng: 127.029 } });
    const all = await available(nearRider);
    const ids = all!.map((edge) => edge.node.id);
    expect(ids[0]).toBe(nearer.id);
    expect(all![0]!.distanceKm).toBe(0);
    expect(ids).toContain(farther.id);
    const distances = all!.map((edge) => edge.distanceKm);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));

    const page = (after: string | null) =>
      call<{
        availableDeliveries: {
          edges: { node: { id: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      }>(
        nearRider,
        'query($after: String) { availableDeliveries(first: 1, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
    const first = (await page(null)).data!.availableDeliveries;
    const second = (await page(first.pageInfo.endCursor)).data!.availableDeliveries;
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect([...first.edges, ...second.edges].map((edge) => edge.node.id)).toEqual(
      all!.slice(0, 2).map((edge) => edge.node.id),
    );
  });

  it('skips no delivery on the next page when one on an earlier page was claimed meanwhile', async () => {
    await foodReady();
    await foodReady();
    const page = async (after: string | null) =>
      (
        await call<{
          availableDeliveries: {
            edges: { node: { id: string } }[];
            pageInfo: { endCursor: string | null };
          };
        }>(
          nearRider,
          'query($after: String) { availableDeliveries(first: 1, after: $after) { edges { node { id } } pageInfo { endCursor } } }',
          { after },
        )
      ).data!.availableDeliveries;
    const all = (await available(nearRider))!.map((edge) => edge.node.id);
    const first = await page(null);
    expect(first.edges.map((edge) => edge.node.id)).toEqual([all[0]]);

    expect((await act('claimDelivery', nearRider, all[0]!)).errors).toBeUndefined();
    const second = await page(first.pageInfo.endCursor);
    expect(second.edges.map((edge) => edge.node.id)).toEqual([all[1]]);
  });

  it('offers one delivery per order, however often the kitchen says it is ready', async () => {
    const orderId = randomUUID();
    const ready = readyEvent(orderId);
    await publishEvent(redis, prefix, ready);
    await publishEvent(redis, prefix, ready);
    await publishEvent(redis, prefix, readyEvent(orderId));
    // The consumer reads the kitchen's stream in order: once this later order is offered,
    // the three announcements above have been handled.
    await foodReady();
    expect(await db.delivery.count({ where: { orderId } })).toBe(1);
    expect(await outboxed('delivery.offered', orderId)).toHaveLength(1);
    // Handled without failing: a failed handler leaves its event unacknowledged, to retry.
    await eventually(async () => expect(await unacknowledged('kitchen')).toBe(0));
  });

  it('gives a delivery to exactly one of two riders claiming it at once; the other gets CONFLICT', async () => {
    const delivery = await foodReady();
    const responses = await Promise.all([
      act('claimDelivery', nearRider, delivery.id),
      act('claimDelivery', otherNearRider, delivery.id),
    ]);
    const winners = responses.filter((response) => response.data?.claimDelivery);
    expect(winners).toHaveLength(1);
    expect(responses.flatMap(errorCodes)).toEqual(['CONFLICT']);

    const winner = winners[0]!.data!.claimDelivery!.delivery;
    expect(winner).toMatchObject({ id: delivery.id, status: 'ASSIGNED' });
    expect(await stored(delivery.id)).toMatchObject({
      status: 'ASSIGNED',
      riderId: winner.rider?.id,
    });
    expect(await outboxed('delivery.rider-assigned', delivery.orderId)).toHaveLength(1);
    await eventually(async () =>
      expect(
        (await deliveryEvents(delivery.orderId)).filter(
          (event) => event.type === 'delivery.rider-assigned',
        ),
      ).toEqual([
        expect.objectContaining({
          payload: {
            deliveryId: delivery.id,
            orderId: delivery.orderId,
            riderId: winner.rider?.id,
          },
        }),
      ]),
    );
  });

  it('refuses to save a delivery over a newer version of it, so it has one rider', async () => {
    const delivery = await foodReady();
    const outbox = new Outbox(db, {
      redis,
      stream: eventStream(prefix, 'delivery'),
      logger: createLogger('test', { level: 'silent', format: 'json' }),
    });
    const deliveries = new DeliveryRepository(outbox);
    const mine = (await deliveries.find(db, delivery.id))!;
    const theirs = (await deliveries.find(db, delivery.id))!;
    mine.claim(nearRider, new Date());
    await outbox.transaction((tx) => deliveries.save(tx, mine));

    theirs.claim(otherNearRider, new Date());
    await expect(outbox.transaction((tx) => deliveries.save(tx, theirs))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await stored(delivery.id)).toMatchObject({ status: 'ASSIGNED', riderId: nearRider.id });
    expect(await outboxed('delivery.rider-assigned', delivery.orderId)).toHaveLength(1);
  });

  it('refuses a claim from a rider far from the store, and changes nothing', async () => {
    const delivery = await foodReady();
    const response = await act('claimDelivery', farRider, delivery.id);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', radiusKm: 3 });
    expect(response.errors?.[0]?.message).toMatch(/within 3 km/);
    expect(await stored(delivery.id)).toMatchObject({ status: 'AVAILABLE', riderId: null });
    expect(await outboxed('delivery.rider-assigned', delivery.orderId)).toHaveLength(0);
  });

  it('lets only the assigned rider pick up, once, and completes the delivery when the customer confirms', async () => {
    const delivery = await foodReady();
    await act('claimDelivery', nearRider, delivery.id);

    expect(errorCodes(await act('pickUpDelivery', otherNearRider, delivery.id))).toEqual([
      'FORBIDDEN',
    ]);
    expect((await stored(delivery.id)).status).toBe('ASSIGNED');

    const pickedUp = await act('pickUpDelivery', nearRider, delivery.id);
    expect(pickedUp.data?.pickUpDelivery?.delivery.status).toBe('PICKED_UP');

    const again = await act('pickUpDelivery', nearRider, delivery.id);
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentStatus: 'PICKED_UP',
    });
    expect(await outboxed('delivery.picked-up', delivery.orderId)).toHaveLength(1);
    await eventually(async () =>
      expect((await deliveryEvents(delivery.orderId)).map((event) => event.type)).toEqual([
        'delivery.offered',
        'delivery.rider-assigned',
        'delivery.picked-up',
      ]),
    );

    await publishEvent(
      redis,
      prefix,
      orderDelivered.create(
        { orderId: delivery.orderId, customerId: customer.id },
        { actor: customer },
      ),
    );
    await eventually(async () =>
      expect(await stored(delivery.id)).toMatchObject({
        status: 'DELIVERED',
        closedAt: expect.any(Date),
      }),
    );
  });

  it("lists a rider's deliveries newest first, by status, page by page", async () => {
    const earlier = await foodReady();
    const later = await foodReady();
    await act('claimDelivery', nearRider, earlier.id);
    await act('claimDelivery', nearRider, later.id);
    await act('pickUpDelivery', nearRider, earlier.id);

    type Page = {
      myDeliveries: {
        edges: { node: { id: string; status: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const response: { data?: Page | null } = await call<Page>(
        nearRider,
        'query($after: String) { myDeliveries(first: 2, after: $after) { edges { node { id status } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      const page: Page['myDeliveries'] = response.data!.myDeliveries;
      ids.push(...page.edges.map((edge) => edge.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    const expected = await db.delivery.findMany({
      where: { riderId: nearRider.id },
      orderBy: [{ assignedAt: 'desc' }, { id: 'desc' }],
    });
    expect(ids).toEqual(expected.map((delivery) => delivery.id));
    expect(ids).toContain(earlier.id);
    expect(ids).toContain(later.id);

    const assigned = await call<Page>(
      nearRider,
      '{ myDeliveries(status: [ASSIGNED], first: 100) { edges { node { id status } } } }',
    );
    const nodes = assigned.data!.myDeliveries.edges.map((edge) => edge.node);
    expect(nodes).toContainEqual({ id: later.id, status: 'ASSIGNED' });
    expect(nodes.every((node) => node.status === 'ASSIGNED')).toBe(true);
    expect(nodes.map((node) => node.id)).not.toContain(earlier.id);
  });

  it('hides where the food goes, and which order it is, from a rider until they claim it', async () => {
    const delivery = await foodReady();
    const read = (viewer: Viewer) =>
      call<{
        delivery: {
          status: string;
          order: { id: string } | null;
          dropoff: { address: string } | null;
          pickup: { name: string };
        } | null;
      }>(
        viewer,
        'query($id: ID!) { delivery(id: $id) { status order { id } dropoff { address } pickup { name } } }',
        { id: delivery.id },
      );

    expect((await read(nearRider)).data?.delivery).toEqual({
      status: 'AVAILABLE',
      order: null,
      dropoff: null,
      pickup: { name: gangnamChicken.name },
    });
    expect((await read(customer)).data?.delivery?.dropoff).toEqual({ address: home.address });

    await act('claimDelivery', nearRider, delivery.id);
    expect((await read(nearRider)).data?.delivery).toMatchObject({
      status: 'ASSIGNED',
      order: { id: delivery.orderId },
      dropoff: { address: home.address },
    });
    const details = await call<{ delivery: Record<string, unknown> }>(
      nearRider,
      'query($id: ID!) { delivery(id: $id) { store { id } feeWon distanceKm rider { id name } assignedAt } }',
      { id: delivery.id },
    );
    expect(details.data?.delivery).toEqual({
      store: { id: gangnamChicken.id },
      feeWon: 3000,
      distanceKm: Math.round(distanceKm(gangnamChicken.location, home.location) * 100) / 100,
      rider: { id: nearRider.id, name: 'Kang Dohyun' },
      assignedAt: expect.any(String),
    });
    expect((await read(admin)).data?.delivery?.dropoff).toEqual({ address: home.address });
  });

  it("keeps a rider's location, and shows it to the rider alone", async () => {
    const moved = { id: 'rider-3', role: 'RIDER' } as const;
    const response = await call<{
      updateRiderLocation: { rider: { location: { lat: number; lng: number } } };
    }>(
      moved,
      'mutation { updateRiderLocation(input: { location: { lat: 37.4990, lng: 127.0280 } }) { rider { location { lat lng } } } }',
    );
    expect(response.data?.updateRiderLocation.rider.location).toEqual({
      lat: 37.499,
      lng: 127.028,
    });
    // Now near Gangnam, the rider is offered what is waiting there.
    const delivery = await foodReady();
    expect((await available(moved))?.map((edge) => edge.node.id)).toContain(delivery.id);

    const rider = async (viewer: Viewer) =>
      (
        await entities<{ name: string; location: { lat: number } | null }>(
          viewer,
          [{ __typename: 'Rider', id: 'rider-3' }],
          '... on Rider { name location { lat } locationUpdatedAt }',
        )
      ).data?._entities[0];
    expect(await rider(moved)).toMatchObject({ name: 'Jang Woojin', location: { lat: 37.499 } });
    expect(await rider(customer)).toEqual({
      name: 'Jang Woojin',
      location: null,
      locationUpdatedAt: null,
    });
    expect(await rider(farRider)).toMatchObject({ location: null });
  });

  it('refuses coordinates off the globe by field name, and changes nothing', async () => {
    const before = await db.rider.findUniqueOrThrow({ where: { id: nearRider.id } });
    const response = await call(
      nearRider,
      'mutation { updateRiderLocation(input: { location: { lat: 91, lng: 127 } }) { rider { id } } }',
    );
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.location.lat',
    });
    expect(await db.rider.findUniqueOrThrow({ where: { id: nearRider.id } })).toEqual(before);
  });

  it('refuses a rider account without a rider profile', async () => {
    const stranger = { id: 'rider-unknown', role: 'RIDER' } as const;
    const response = await call(
      stranger,
      'mutation { updateRiderLocation(input: { location: { lat: 37.5, lng: 127 } }) { rider { id } } }',
    );
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(errorCodes(await act('claimDelivery', stranger, (await foodReady()).id))).toEqual([
      'FORBIDDEN',
    ]);
    expect(await db.rider.count({ where: { id: stranger.id } })).toBe(0);
  });

  it('offers nothing to a rider who has not reported a location, and lets them claim nothing', async () => {
    const newcomer = { id: 'rider-newcomer', role: 'RIDER' } as const;
    await db.rider.create({ data: { id: newcomer.id, name: 'Seo Jun', vehicle: 'BICYCLE' } });
    const delivery = await foodReady();
    expect(await available(newcomer)).toEqual([]);
    const response = await act('claimDelivery', newcomer, delivery.id);
    expect(errorCodes(response)).toEqual(['FORBIDDEN']);
    expect(response.errors?.[0]?.message).toMatch(/location/);
    expect(await stored(delivery.id)).toMatchObject({ status: 'AVAILABLE', riderId: null });
  });

  it('names the field of an unknown delivery id', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      for (const mutation of ['claimDelivery', 'pickUpDelivery'] as const) {
        expect((await act(mutation, nearRider, id)).errors?.[0]?.extensions).toMatchObject({
          code: 'BAD_USER_INPUT',
          field: 'input.deliveryId',
        });
      }
      expect((await reportAccident(nearRider, id, 'Spilled.')).errors?.[0]?.extensions).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'input.deliveryId',
      });
    }
  });

  it("refuses a customer's and an anonymous claim, and changes nothing", async () => {
    const delivery = await foodReady();
    expect(errorCodes(await act('claimDelivery', customer, delivery.id))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await act('claimDelivery', null, delivery.id))).toEqual(['UNAUTHENTICATED']);
    expect(
      errorCodes(await call(customer, '{ availableDeliveries { edges { cursor } } }')),
    ).toEqual(['FORBIDDEN']);
    expect(await stored(delivery.id)).toMatchObject({ status: 'AVAILABLE', riderId: null });
  });

  it('refuses an administrator acting as a rider, even under a rider id, and changes nothing', async () => {
    const adminAsRider = { id: nearRider.id, role: 'ADMIN' } as const;
    const delivery = await foodReady();
    expect(errorCodes(await act('claimDelivery', adminAsRider, delivery.id))).toEqual([
      'FORBIDDEN',
    ]);
    expect(await stored(delivery.id)).toMatchObject({ status: 'AVAILABLE', riderId: null });
    expect(await outboxed('delivery.rider-assigned', delivery.orderId)).toHaveLength(0);

    const rider = await db.rider.findUniqueOrThrow({ where: { id: nearRider.id } });
    const moved = await call(
      adminAsRider,
      'mutation { updateRiderLocation(input: { location: { lat: 37.6, lng: 127.1 } }) { rider { id } } }',
    );
    expect(errorCodes(moved)).toEqual(['FORBIDDEN']);
    expect(await db.rider.findUniqueOrThrow({ where: { id: nearRider.id } })).toEqual(rider);
  });

  it('takes requests over 100 kB, such as the gateway sends for many entities', async () => {
    const representations = Array.from({ length: 5000 }, () => ({
      __typename: 'Rider',
      id: nearRider.id,
    }));
    expect(JSON.stringify(representations).length).toBeGreaterThan(150_000);
    const response = await entities<{ name: string }>(
      customer,
      representations,
      '... on Rider { name }',
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?._entities).toHaveLength(5000);
  });

  it('refuses a request that did not come through the router', async () => {
    expect(errorCodes(await call('no-assertion', '{ riderProfile { id } }'))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });
});

describe('dispatch: fees and the express rule', () => {
  it("keeps the order's delivery fee and express surcharge, and pays the rider both", async () => {
    const express = await foodReady({ express: true });
    const standard = await foodReady();
    expect(express).toMatchObject({ deliveryFeeWon: 3000, expressFeeWon: 2000, feeWon: 5000 });
    expect(standard).toMatchObject({ deliveryFeeWon: 3000, expressFeeWon: 0, feeWon: 3000 });

    const fees = async (id: string) =>
      (
        await call<{ delivery: Record<string, unknown> }>(
          customer,
          'query($id: ID!) { delivery(id: $id) { express feeWon deliveryFeeWon expressFeeWon } }',
          { id },
        )
      ).data?.delivery;
    expect(await fees(express.id)).toEqual({
      express: true,
      feeWon: 5000,
      deliveryFeeWon: 3000,
      expressFeeWon: 2000,
    });
    expect(await fees(standard.id)).toEqual({
      express: false,
      feeWon: 3000,
      deliveryFeeWon: 3000,
      expressFeeWon: 0,
    });
  });

  it('offers an express delivery only to riders at most 15 minutes from the store, with their travel time', async () => {
    // Just inside the 3 km radius: 2.95 km × 1.3 is 16 minutes by bicycle, 8 by motorbike.
    expect(distanceKm(northOfStore(2.95), gangnamChicken.location)).toBeLessThan(3);
    const cyclist = await newRider('BICYCLE', northOfStore(2.95));
    const motorbike = await newRider('MOTORBIKE', northOfStore(2.95));
    const standard = await foodReady();
    const express = await foodReady({ express: true });

    const cyclistOffers = await available(cyclist);
    expect(cyclistOffers).toContainEqual({
      node: { id: standard.id },
      distanceKm: 2.95,
      minutesToPickup: 16,
    });
    expect(cyclistOffers?.map((edge) => edge.node.id)).not.toContain(express.id);
    for (const id of [standard.id, express.id]) {
      expect(await available(motorbike)).toContainEqual({
        node: { id },
        distanceKm: 2.95,
        minutesToPickup: 8,
      });
    }

    // 2.4 km by bicycle is 13 minutes: once there, the cyclist is offered the express delivery.
    await moveRider(cyclist, northOfStore(2.4));
    expect(await available(cyclist)).toContainEqual({
      node: { id: express.id },
      distanceKm: 2.4,
      minutesToPickup: 13,
    });
  });

  it('refuses an express claim from a rider too far in time, saying why, and changes nothing', async () => {
    const cyclist = await newRider('BICYCLE', northOfStore(2.95));
    const motorbike = await newRider('MOTORBIKE', northOfStore(2.95));
    const express = await foodReady({ express: true });

    const refused = await act('claimDelivery', cyclist, express.id);
    expect(refused.errors?.[0]?.extensions).toEqual({
      code: 'FORBIDDEN',
      minutesToPickup: 16,
      maxMinutes: 15,
    });
    expect(refused.errors?.[0]?.message).toMatch(/express .* at most 15 minutes/);
    expect(await stored(express.id)).toMatchObject({
      status: 'AVAILABLE',
      riderId: null,
      version: 1,
    });
    expect(await outboxed('delivery.rider-assigned', express.orderId)).toHaveLength(0);

    // The same distance is fine for a standard delivery, and for a motorbike.
    const standard = await foodReady();
    expect(
      (await act('claimDelivery', cyclist, standard.id)).data?.claimDelivery?.delivery,
    ).toMatchObject({
      status: 'ASSIGNED',
      rider: { id: cyclist.id },
    });
    const claimed = await act('claimDelivery', motorbike, express.id);
    expect(claimed.data?.claimDelivery?.delivery).toMatchObject({
      status: 'ASSIGNED',
      rider: { id: motorbike.id },
    });
    expect(await stored(express.id)).toMatchObject({ status: 'ASSIGNED', riderId: motorbike.id });
  });
});

describe('who may read a delivery', () => {
  it('lets the riders it is offered to, its customer, its store owner and administrators read an available delivery, and no one else', async () => {
    const cyclist = await newRider('BICYCLE', northOfStore(2.95));
    const distant = await newRider('MOTORBIKE', northOfStore(29));
    const unlocated = await newRider('MOTORBIKE', null);
    const express = await foodReady({ express: true });

    for (const reader of [nearRider, otherNearRider, customer, owner, admin]) {
      const response = await readDelivery(reader, express.id);
      expect(response.errors).toBeUndefined();
      expect(response.data?.delivery).toEqual({ id: express.id, status: 'AVAILABLE' });
    }
    // 11 km and 29 km away; within the radius but 16 minutes away by bicycle; nowhere yet.
    for (const stranger of [farRider, distant, cyclist, unlocated]) {
      const response = await readDelivery(stranger, express.id);
      expect(errorCodes(response)).toEqual(['FORBIDDEN']);
      expect(response.data?.delivery).toBeNull();
    }
    for (const stranger of [otherCustomer, { id: 'owner-2', role: 'STORE_OWNER' } as const]) {
      expect(errorCodes(await readDelivery(stranger, express.id))).toEqual(['FORBIDDEN']);
    }
    expect(errorCodes(await readDelivery(null, express.id))).toEqual(['UNAUTHENTICATED']);

    // A standard delivery is offered to the cyclist, so they may read it.
    const standard = await foodReady();
    expect((await readDelivery(cyclist, standard.id)).data?.delivery).toEqual({
      id: standard.id,
      status: 'AVAILABLE',
    });
  });

  it('once claimed, lets only its rider, its customer, its store owner and administrators read it', async () => {
    const delivery = await foodReady();
    expect((await readDelivery(otherNearRider, delivery.id)).data?.delivery).not.toBeNull();
    await act('claimDelivery', nearRider, delivery.id);

    for (const reader of [nearRider, customer, owner, admin]) {
      expect((await readDelivery(reader, delivery.id)).data?.delivery).toEqual({
        id: delivery.id,
        status: 'ASSIGNED',
      });
    }
    for (const stranger of [otherNearRider, farRider, otherCustomer]) {
      expect(errorCodes(await readDelivery(stranger, delivery.id))).toEqual(['FORBIDDEN']);
    }
  });

  it('answers null, not an error, for an id that names no delivery', async () => {
    for (const unknown of [randomUUID(), 'not-a-uuid']) {
      for (const reader of [customer, nearRider]) {
        const response = await readDelivery(reader, unknown);
        expect(response.errors).toBeUndefined();
        expect(response.data?.delivery).toBeNull();
      }
    }
  });

  it("resolves an order's delivery, and a delivery as an entity, only for those who may read it", async () => {
    const delivery = await foodReady();
    const orderDelivery = async (viewer: Viewer) =>
      (
        await entities<{ delivery: { id: string; status: string } | null }>(
          viewer,
          [{ __typename: 'Order', id: delivery.orderId }],
          '... on Order { delivery { id status } }',
        )
      ).data?._entities[0]?.delivery;
    const deliveryEntity = async (viewer: Viewer) =>
      (
        await entities<{ id: string; feeWon: number }>(
          viewer,
          [{ __typename: 'Delivery', id: delivery.id }],
          '... on Delivery { id feeWon }',
        )
      ).data?._entities[0];

    // Offered to the near riders, not to the far one.
    expect(await deliveryEntity(otherNearRider)).toEqual({ id: delivery.id, feeWon: 3000 });
    expect(await deliveryEntity(farRider)).toBeNull();
    expect(await orderDelivery(farRider)).toBeNull();

    await act('claimDelivery', nearRider, delivery.id);
    for (const reader of [customer, nearRider, owner, admin]) {
      expect(await orderDelivery(reader)).toEqual({ id: delivery.id, status: 'ASSIGNED' });
      expect(await deliveryEntity(reader)).toEqual({ id: delivery.id, feeWon: 3000 });
    }
    for (const stranger of [
      otherCustomer,
      otherNearRider,
      farRider,
      { id: 'owner-2', role: 'STORE_OWNER' } as const,
    ]) {
      expect(await orderDelivery(stranger)).toBeNull();
      expect(await deliveryEntity(stranger)).toBeNull();
    }
  });
});

describe('accidents', () => {
  /** A delivery claimed and picked up by `rider`. */
  async function pickedUpBy(rider: Viewer) {
    const delivery = await foodReady();
    expect((await act('claimDelivery', rider, delivery.id)).errors).toBeUndefined();
    expect((await act('pickUpDelivery', rider, delivery.id)).errors).toBeUndefined();
    return delivery;
  }

  it("cancels a picked-up delivery on its rider's report, with the description as the reason, and announces it", async () => {
    const delivery = await pickedUpBy(nearRider);
    const description = 'The bag tore open in the rain.\nEverything is soaked.';
    const response = await reportAccident(nearRider, delivery.id, `  ${description} `);
    expect(response.errors).toBeUndefined();
    expect(response.data?.reportAccident.delivery).toEqual({
      id: delivery.id,
      status: 'CANCELED',
      closedAt: expect.any(String),
      cancelReason: description,
    });
    expect(await stored(delivery.id)).toMatchObject({
      status: 'CANCELED',
      riderId: nearRider.id,
      closedAt: expect.any(Date),
      cancelReason: description,
    });
    await eventually(async () =>
      expect(
        (await deliveryEvents(delivery.orderId)).filter(
          (event) => event.type === 'delivery.accident-reported',
        ),
      ).toEqual([
        expect.objectContaining({
          actor: nearRider,
          payload: {
            deliveryId: delivery.id,
            orderId: delivery.orderId,
            riderId: nearRider.id,
            description,
          },
        }),
      ]),
    );

    const again = await reportAccident(nearRider, delivery.id, 'Again.');
    expect(again.errors?.[0]?.extensions).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentStatus: 'CANCELED',
    });
    expect(await outboxed('delivery.accident-reported', delivery.orderId)).toHaveLength(1);
  });

  it("follows the order when the customer's confirmation overtook the accident report: delivered", async () => {
    const delivery = await pickedUpBy(nearRider);
    await reportAccident(nearRider, delivery.id, 'Dropped it.');
    expect((await stored(delivery.id)).status).toBe('CANCELED');
    const delivered = orderDelivered.create(
      { orderId: delivery.orderId, customerId: customer.id },
      { actor: customer },
    );
    await applied(delivered);
    expect(await stored(delivery.id)).toMatchObject({
      status: 'DELIVERED',
      closedAt: new Date(delivered.occurredAt),
      cancelReason: null,
    });
    await eventually(async () => expect(await unacknowledged('order')).toBe(0));
  });

  it('refuses a report from anyone but its rider, before pick-up, or with a bad description, and changes nothing', async () => {
    const delivery = await foodReady();
    await act('claimDelivery', nearRider, delivery.id);
    const before = await stored(delivery.id);

    const notYet = await reportAccident(nearRider, delivery.id, 'Spilled.');
    expect(notYet.errors?.[0]?.extensions).toMatchObject({
      code: 'INVALID_TRANSITION',
      currentStatus: 'ASSIGNED',
    });
    expect(await stored(delivery.id)).toEqual(before);

    await act('pickUpDelivery', nearRider, delivery.id);
    const pickedUp = await stored(delivery.id);
    const adminAsRider = { id: nearRider.id, role: 'ADMIN' } as const;
    for (const stranger of [otherNearRider, farRider, customer, owner, adminAsRider]) {
      expect(errorCodes(await reportAccident(stranger, delivery.id, 'Spilled.'))).toEqual([
        'FORBIDDEN',
      ]);
    }
    expect(errorCodes(await reportAccident(null, delivery.id, 'Spilled.'))).toEqual([
      'UNAUTHENTICATED',
    ]);
    for (const description of ['', '   ', 'x'.repeat(501), 'Spilled\u0000.', 'Spilled\u001b.']) {
      expect(
        (await reportAccident(nearRider, delivery.id, description)).errors?.[0]?.extensions,
      ).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'input.description',
      });
    }
    expect(await stored(delivery.id)).toEqual(pickedUp);
    expect(await outboxed('delivery.accident-reported', delivery.orderId)).toHaveLength(0);

    // 500 characters is the most a description may have.
    const longest = 'x'.repeat(500);
    const reported = await reportAccident(nearRider, delivery.id, longest);
    expect(reported.data?.reportAccident.delivery.cancelReason).toBe(longest);
  });
});

describe('canceled orders', () => {
  /** A delivery of a fresh order, brought to `status` through the API. */
  async function deliveryThat(status: 'AVAILABLE' | 'ASSIGNED' | 'PICKED_UP') {
    const delivery = await foodReady();
    if (status !== 'AVAILABLE') await act('claimDelivery', nearRider, delivery.id);
    if (status === 'PICKED_UP') await act('pickUpDelivery', nearRider, delivery.id);
    expect((await stored(delivery.id)).status).toBe(status);
    return delivery;
  }

  it.each(['AVAILABLE', 'ASSIGNED', 'PICKED_UP'] as const)(
    "cancels a delivery that is %s with the order's reason, once however often it is told",
    async (status) => {
      const delivery = await deliveryThat(status);
      const canceled = canceledEvent(delivery.orderId, 'The customer changed their mind.');
      await applied(canceled);
      const after = await stored(delivery.id);
      expect(after).toMatchObject({
        status: 'CANCELED',
        closedAt: new Date(canceled.occurredAt),
        cancelReason: 'The customer changed their mind.',
      });

      await publishEvent(redis, prefix, canceled);
      await applied(canceledEvent(delivery.orderId, 'Another reason.'));
      expect(await stored(delivery.id)).toEqual(after);
      await eventually(async () => expect(await unacknowledged('order')).toBe(0));
    },
  );

  it('stops offering a delivery whose order was canceled', async () => {
    const delivery = await foodReady();
    expect(await availableIds(nearRider)).toContain(delivery.id);
    await applied(canceledEvent(delivery.orderId, 'Rejected by the store.', 'REJECTED'));

    expect(await availableIds(nearRider)).not.toContain(delivery.id);
    expect(errorCodes(await readDelivery(nearRider, delivery.id))).toEqual(['FORBIDDEN']);
    expect((await readDelivery(customer, delivery.id)).data?.delivery?.status).toBe('CANCELED');
    expect(
      (await act('claimDelivery', nearRider, delivery.id)).errors?.[0]?.extensions,
    ).toMatchObject({ code: 'INVALID_TRANSITION', currentStatus: 'CANCELED' });
  });

  it("leaves a delivered delivery, and one closed by its rider's accident report, as they are", async () => {
    const delivered = await deliveryThat('PICKED_UP');
    await applied(
      orderDelivered.create(
        { orderId: delivered.orderId, customerId: customer.id },
        { actor: customer },
      ),
    );
    const deliveredBefore = await stored(delivered.id);
    expect(deliveredBefore.status).toBe('DELIVERED');

    const crashed = await deliveryThat('PICKED_UP');
    await reportAccident(nearRider, crashed.id, 'Fell off the motorbike.');
    const crashedBefore = await stored(crashed.id);

    await applied(canceledEvent(delivered.orderId, 'Too late.'));
    // The order subgraph cancels the order because of the accident, and says so.
    await applied(canceledEvent(crashed.orderId, 'Accident: Fell off the motorbike.'));
    expect(await stored(delivered.id)).toEqual(deliveredBefore);
    expect(await stored(crashed.id)).toEqual(crashedBefore);
    expect(crashedBefore.cancelReason).toBe('Fell off the motorbike.');
    await eventually(async () => expect(await unacknowledged('order')).toBe(0));
  });

  it('creates the delivery canceled, offered to nobody, when the order was canceled before its food was ready', async () => {
    const orderId = randomUUID();
    await applied(canceledEvent(orderId, 'Canceled before cooking.'));
    expect(await db.delivery.count({ where: { orderId } })).toBe(0);

    const ready = readyEvent(orderId, { express: true });
    await applied(ready);
    const delivery = await db.delivery.findUniqueOrThrow({ where: { orderId } });
    expect(delivery).toMatchObject({
      status: 'CANCELED',
      riderId: null,
      cancelReason: 'Canceled before cooking.',
      closedAt: new Date(ready.occurredAt),
      feeWon: 5000,
    });
    expect(await outboxed('delivery.offered', orderId)).toHaveLength(0);
    expect(await availableIds(nearRider)).not.toContain(delivery.id);
    expect(errorCodes(await readDelivery(nearRider, delivery.id))).toEqual(['FORBIDDEN']);

    // Announced again, it stays the one canceled delivery.
    await applied(readyEvent(orderId));
    expect(await db.delivery.findMany({ where: { orderId } })).toEqual([delivery]);
    await eventually(async () => expect(await unacknowledged('kitchen')).toBe(0));
  });
});
