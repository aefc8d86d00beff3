import { readApiSdl } from '@baedal/schema';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkFeeds } from './live-core.js';
import { availableDeliveriesFeed, liveFeeds, orderStatusFeed } from './live-feeds.js';

describe('checkFeeds', () => {
  it("accepts the supergraph's API schema with the router's feeds", () => {
    expect(() => checkFeeds(buildSchema(readApiSdl()), liveFeeds)).not.toThrow();
  });

  it('names a Subscription field without a feed', () => {
    const schema = buildSchema(readApiSdl());
    expect(() => checkFeeds(schema, [orderStatusFeed, availableDeliveriesFeed])).toThrow(
      'The live feeds do not match the supergraph: Subscription.storeOrderChanged has no live feed.',
    );
  });

  it('names a feed without its Subscription field or its source field', () => {
    const schema = buildSchema(`
      type Query { delivery(id: ID!): String }
      type Subscription { deliveryAvailable: String }
    `);
    expect(() => checkFeeds(schema, [orderStatusFeed, availableDeliveriesFeed])).toThrow(
      'The live feeds do not match the supergraph: the live feed orderStatusChanged has no Subscription.orderStatusChanged; the live feed orderStatusChanged has no source field Query.orderStatusEvents.',
    );
  });
});
