import { distanceKm } from '@baedal/domain';
import { describe, expect, it } from 'vitest';
import { type NearbyConnection, nearbyPage, roundKm } from './nearby.js';
import { encodeCursor } from './pagination.js';

interface Place {
  readonly id: string;
  readonly lat: number;
  readonly lng: number;
}

const center = { lat: 37.4979, lng: 127.0276 };
/** About 111 m of latitude per 0.001 degree. */
const north = (id: string, thousandths: number): Place => ({
  id,
  lat: center.lat + thousandths / 1000,
  lng: center.lng,
});

const places = [
  north('c', 9),
  north('a', 0),
  north('far', 100),
  north('d', 18),
  north('b', 9),
  north('e', 26),
];

const search = {
  center,
  radiusKm: 3,
  locationOf: (place: Place) => ({ lat: place.lat, lng: place.lng }),
  idOf: (place: Place) => place.id,
};

const ids = (page: { edges: { node: Place }[] }) => page.edges.map((edge) => edge.node.id);

describe('nearbyPage', () => {
  it('answers the rows within the radius, nearest first and by id at the same distance', () => {
    const page = nearbyPage(places, search, {});
    expect(ids(page)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(page.pageInfo).toEqual({ hasNextPage: false, endCursor: page.edges[4]!.cursor });
  });

  it('gives each edge its distance to 10 m', () => {
    const [first, second] = nearbyPage(places, search, {}).edges;
    expect(first!.distanceKm).toBe(0);
    expect(second!.distanceKm).toBe(roundKm(distanceKm(center, north('b', 9))));
    expect(second!.distanceKm).toBe(1);
  });

  it('pages through every row once', () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: NearbyConnection<Place> = nearbyPage(places, search, {
        first: 2,
        after,
      });
      seen.push(...ids(page));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('skips nothing when a row of an earlier page is gone by the next request', () => {
    const first = nearbyPage(places, search, { first: 2 });
    expect(ids(first)).toEqual(['a', 'b']);
    const withoutA = places.filter((place) => place.id !== 'a');
    const next = nearbyPage(withoutA, search, { first: 2, after: first.pageInfo.endCursor });
    expect(ids(next)).toEqual(['c', 'd']);
  });

  it('refuses a cursor it did not make, naming `after`, and a page size out of range', () => {
    for (const after of [
      'garbage',
      encodeCursor({ offset: 2 }),
      encodeCursor({ metres: -1, id: 'a' }),
    ]) {
      expect(() => nearbyPage(places, search, { after })).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'after' } }),
      );
    }
    expect(() => nearbyPage(places, search, { first: 0 })).toThrow(
      expect.objectContaining({ details: { field: 'first' } }),
    );
  });
});
