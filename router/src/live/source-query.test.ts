import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { orderStatusFeed } from './live-feeds.js';
import { toSourceQuery } from './source-query.js';

const schema = buildSchema(`
  type Query { orderStatusEvents(orderId: ID!, after: String): [Event!]! }
  type Subscription { orderStatusChanged(orderId: ID!, after: String): Event! }
  type Event { cursor: String! entry: Entry! order: Order! }
  type Entry { seq: Int! status: String! }
  type Order { id: ID! status: String! items(first: Int): [String!]! }
`);

describe('toSourceQuery', () => {
  it('turns the subscription field into the source query, keeping alias, selection and fragments', () => {
    const document = parse(`
      subscription Follow($id: ID!, $after: String, $first: Int) {
        feed: orderStatusChanged(orderId: $id, after: $after) { entry { status } ...OrderPart }
      }
      fragment OrderPart on Event { order { status items(first: $first) } }
    `);
    const source = toSourceQuery(
      schema,
      document,
      'Follow',
      'orderStatusEvents',
      orderStatusFeed.extraFields,
    );

    expect(source.responseKey).toBe('feed');
    expect(source.variableNames).toEqual(['first']);
    expect(source.text).toBe(
      [
        'query Follow($first: Int, $_live_orderId: ID!, $_live_after: String) {',
        '  feed: orderStatusEvents(orderId: $_live_orderId, after: $_live_after) {',
        '    entry {',
        '      status',
        '    }',
        '    ...OrderPart',
        '    _liveCursor: cursor',
        '  }',
        '}',
        '',
        'fragment OrderPart on Event {',
        '  order {',
        '    status',
        '    items(first: $first)',
        '  }',
        '}',
      ].join('\n'),
    );
  });

  it('refuses a subscription field selected through a fragment', () => {
    const document = parse(`
      subscription { ...Root }
      fragment Root on Subscription { orderStatusChanged(orderId: "1") { cursor } }
    `);
    expect(() => toSourceQuery(schema, document, undefined, 'orderStatusEvents')).toThrow(
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }),
    );
  });
});
