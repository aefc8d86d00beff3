import { describe, expect, it } from 'vitest';
import { schemaElements } from './descriptions.js';
import { readSubgraphSdl, type SubgraphName, subgraphs } from './index.js';

describe('descriptions', () => {
  it.each(Object.keys(subgraphs) as SubgraphName[])(
    'document every type, field, argument and enum value of the %s subgraph',
    (name) => {
      const undescribed = schemaElements(readSubgraphSdl(name))
        .filter((element) => !element.described)
        .map((element) => `${element.kind} ${element.coordinate}`);
      expect(undescribed).toEqual([]);
    },
  );

  it('are looked for on every kind of element', () => {
    const sdl = `
      scalar Money
      "Described."
      type Query {
        store(id: ID!, "Described." near: Float): Store
      }
      type Store @key(fields: "id") {
        "Described."
        id: ID!
        status: Status
      }
      enum Status { OPEN "Described." CLOSED }
      input StoreInput { name: String }
      union Anything = Store
    `;
    expect(
      schemaElements(sdl)
        .filter((element) => !element.described)
        .map((element) => `${element.kind} ${element.coordinate}`),
    ).toEqual([
      'type Money',
      'field Query.store',
      'argument Query.store(id:)',
      'type Store',
      'field Store.status',
      'type Status',
      'enum value Status.OPEN',
      'type StoreInput',
      'input field StoreInput.name',
      'type Anything',
    ]);
  });
});
