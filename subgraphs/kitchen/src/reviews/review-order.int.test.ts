import { randomUUID } from 'node:crypto';
import { eventStream, Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { createLogger } from '@baedal/service-kit';
import { errorCodes } from '@baedal/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  admin,
  customer,
  type Kitchen,
  orderDeliveredEvent,
  orderIn,
  otherCustomer,
  otherOwner,
  owner,
  publish,
  rider,
  startKitchen,
  storeId,
} from '../kitchen.testing.js';
import { KitchenTicketRepository } from '../tickets/kitchen-ticket.repository.js';
import { ReviewRepository } from './review.repository.js';
import { ReviewOrder } from './review-order.command.js';

let kitchen: Kitchen;

beforeAll(async () => {
  // Long enough that a review waiting for a late `order.delivered` always sees it arrive: the
  // wait ends as soon as it does. (A wait that runs out is tested below with none at all.)
  kitchen = await startKitchen({ REVIEW_DELIVERY_WAIT_MS: '600000' });
});

afterAll(() => kitchen?.[Symbol.asyncDispose]());

interface ReviewNode {
  id: string;
  stars: number;
  comment: string;
  createdAt: string;
  store: { id: string };
}

const review = (
  viewer: Viewer | null,
  orderId: string,
  stars: number,
  comment: string | null = null,
) =>
  kitchen.call<{ reviewOrder: { review: ReviewNode } }>(
    viewer,
    `mutation($orderId: ID!, $stars: Int!, $comment: String) {
      reviewOrder(input: { orderId: $orderId, stars: $stars, comment: $comment }) {
        review { id stars comment createdAt store { id } }
      }
    }`,
    { orderId, stars, comment },
  );

/** The store's rating, as anyone reads it. */
async function rating(): Promise<{ average: number | null; count: number }> {
  const response = await kitchen.call<{
    store: { rating: { average: number | null; count: number } };
  }>(null, 'query($id: ID!) { store(id: $id) { rating { average count } } }', { id: storeId });
  return response.data!.store.rating;
}

const reviewRows = (orderId: string) => kitchen.db.review.findMany({ where: { orderId } });

describe('reviewing an order', () => {
  it('takes one review of a delivered order from its customer, counted in the rating at once', async () => {
    const orderId = await orderIn(kitchen, 'DELIVERED');
    const before = await kitchen.db.store.findUniqueOrThrow({ where: { id: storeId } });

    const response = await review(customer, orderId, 4, '  Crispy.\nWill order again.  ');
    expect(response.errors).toBeUndefined();
    expect(response.data?.reviewOrder.review).toEqual({
      id: orderId,
      stars: 4,
      comment: 'Crispy.\nWill order again.',
      createdAt: expect.any(String),
      store: { id: storeId },
    });
    expect(await rating()).toEqual({
      count: before.ratingCount + 1,
      average: (before.ratingTotal + 4) / (before.ratingCount + 1),
    });
  });

  it('refuses a second review of the order with CONFLICT, and changes nothing', async () => {
    const orderId = await orderIn(kitchen, 'DELIVERED');
    await review(customer, orderId, 5);
    const [rows, ratingBefore] = [await reviewRows(orderId), await rating()];

    expect(errorCodes(await review(customer, orderId, 1, 'Changed my mind.'))).toEqual([
      'CONFLICT',
    ]);
    expect(await reviewRows(orderId)).toEqual(rows);
    expect(await rating()).toEqual(ratingBefore);
  });

  it('keeps exactly one of two reviews sent at once', async () => {
    const orderId = await orderIn(kitchen, 'DELIVERED');
    const ratingBefore = await rating();

    const responses = await Promise.all([
      review(customer, orderId, 2),
      review(customer, orderId, 3),
    ]);
    expect(responses.flatMap(errorCodes)).toEqual(['CONFLICT']);
    expect(responses.filter((response) => response.data?.reviewOrder)).toHaveLength(1);
    expect(await reviewRows(orderId)).toHaveLength(1);
    expect((await rating()).count).toBe(ratingBefore.count + 1);
  });

  it('waits for the delivery of a ready order that its customer just confirmed', async () => {
    const orderId = await orderIn(kitchen, 'READY');
    const reviewing = review(customer, orderId, 5, 'Still warm.');
    await publish(kitchen, orderDeliveredEvent(orderId));

    const response = await reviewing;
    expect(response.errors).toBeUndefined();
    expect(response.data?.reviewOrder.review.stars).toBe(5);
  });

  it('refuses a ready order that is still not delivered once the wait is over', async () => {
    const orderId = await orderIn(kitchen, 'READY');
    const outbox = new Outbox(kitchen.db, {
      redis: kitchen.redis,
      stream: eventStream(kitchen.prefix, 'kitchen'),
      logger: createLogger('test', { level: 'silent', format: 'json' }),
    });
    const tickets = new KitchenTicketRepository(outbox);
    const reviewWithoutWait = new ReviewOrder(
      kitchen.db,
      outbox,
      tickets,
      new ReviewRepository(),
      0,
    );

    await expect(reviewWithoutWait.execute(customer, { orderId, stars: 5 })).rejects.toMatchObject({
      code: 'INVALID_TRANSITION',
      details: expect.objectContaining({ currentStatus: 'READY' }),
    });
    expect(await reviewRows(orderId)).toEqual([]);
  });

  it.each(['PENDING', 'ACCEPTED', 'COOKING', 'REJECTED', 'CANCELED'] as const)(
    'refuses to review an order whose ticket is %s, with its status, and changes nothing',
    async (status) => {
      const orderId = await orderIn(kitchen, status);
      const ratingBefore = await rating();
      expect((await review(customer, orderId, 5)).errors?.[0]?.extensions).toMatchObject({
        code: 'INVALID_TRANSITION',
        currentStatus: status,
      });
      expect(await reviewRows(orderId)).toEqual([]);
      expect(await rating()).toEqual(ratingBefore);
    },
  );

  it("refuses anyone but the order's customer, and changes nothing", async () => {
    const orderId = await orderIn(kitchen, 'DELIVERED');
    const ratingBefore = await rating();
    expect(errorCodes(await review(null, orderId, 5))).toEqual(['UNAUTHENTICATED']);
    for (const viewer of [otherCustomer, owner, admin, rider]) {
      expect(errorCodes(await review(viewer, orderId, 5))).toEqual(['FORBIDDEN']);
    }
    expect(await reviewRows(orderId)).toEqual([]);
    expect(await rating()).toEqual(ratingBefore);
  });

  it.each([
    ['input.stars', 0, null],
    ['input.stars', 6, null],
    ['input.comment', 5, 'x'.repeat(1001)],
    ['input.comment', 5, 'Great\u0000food'],
  ])('refuses a bad %s by name, and changes nothing', async (field, stars, comment) => {
    const orderId = await orderIn(kitchen, 'DELIVERED');
    const ratingBefore = await rating();
    expect((await review(customer, orderId, stars, comment)).errors?.[0]?.extensions).toMatchObject(
      { code: 'BAD_USER_INPUT', field },
    );
    expect(await reviewRows(orderId)).toEqual([]);
    expect(await rating()).toEqual(ratingBefore);
  });

  it('names the field of an unknown order id', async () => {
    for (const orderId of [randomUUID(), 'not-an-order']) {
      expect((await review(customer, orderId, 5)).errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'input.orderId',
      });
    }
  });
});

describe('reading reviews', () => {
  const storeReviews = (viewer: Viewer | null, after: string | null = null) =>
    kitchen.call<{
      store: {
        reviews: {
          edges: { node: { id: string; stars: number } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      };
    }>(
      viewer,
      `query($id: ID!, $after: String) {
        store(id: $id) { reviews(first: 1, after: $after) {
          edges { node { id stars } } pageInfo { hasNextPage endCursor }
        } }
      }`,
      { id: storeId, after },
    );

  const orderReview = (viewer: Viewer | null, orderId: string) =>
    kitchen.call<{ _entities: [{ review: { stars: number } | null }] }>(
      viewer,
      `query($representations: [_Any!]!) {
        _entities(representations: $representations) { ... on Order { review { stars } } }
      }`,
      { representations: [{ __typename: 'Order', id: orderId }] },
    );

  it("shows the store's owner its reviews, newest first, a page at a time", async () => {
    const older = await orderIn(kitchen, 'DELIVERED');
    const newer = await orderIn(kitchen, 'DELIVERED');
    await review(customer, older, 3);
    await review(customer, newer, 5);

    for (const viewer of [owner, admin]) {
      const first = (await storeReviews(viewer)).data?.store.reviews;
      expect(first?.edges.map((edge) => edge.node)).toEqual([{ id: newer, stars: 5 }]);
      expect(first?.pageInfo.hasNextPage).toBe(true);
      const second = (await storeReviews(viewer, first!.pageInfo.endCursor)).data?.store.reviews;
      expect(second?.edges.map((edge) => edge.node)).toEqual([{ id: older, stars: 3 }]);
    }
  });

  it("hides a store's reviews from everyone but its owner", async () => {
    for (const viewer of [otherOwner, customer, rider]) {
      expect(errorCodes(await storeReviews(viewer))).toEqual(['FORBIDDEN']);
    }
    expect(errorCodes(await storeReviews(null))).toEqual(['UNAUTHENTICATED']);
  });

  it("shows an order's review to its customer and the store's owner, and to nobody else", async () => {
    const orderId = await orderIn(kitchen, 'DELIVERED');
    expect((await orderReview(customer, orderId)).data?._entities[0].review).toBeNull();
    await review(customer, orderId, 4);

    for (const viewer of [customer, owner, admin]) {
      expect((await orderReview(viewer, orderId)).data?._entities[0].review).toEqual({ stars: 4 });
    }
    for (const viewer of [otherCustomer, otherOwner, rider, null]) {
      const response = await orderReview(viewer, orderId);
      expect(response.errors).toBeUndefined();
      expect(response.data?._entities[0].review).toBeNull();
    }
  });
});
