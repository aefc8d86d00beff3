import { type Coordinates, distanceKm } from '@baedal/domain';
import {
  type Connection,
  type ConnectionArgs,
  decodeCursor,
  encodeCursor,
  pageSize,
} from './pagination.js';

/** A search around a point, over rows already narrowed down (say, by `boundingBox`). */
export interface NearbySearch<T> {
  readonly center: Coordinates;
  readonly radiusKm: number;
  readonly locationOf: (row: T) => Coordinates;
  /** A key unique among the rows; it orders rows at the same distance. */
  readonly idOf: (row: T) => string;
}

export interface NearbyEdge<T> {
  readonly cursor: string;
  readonly node: T;
  /** From the search's center, to 10 m (see `roundKm`). */
  readonly distanceKm: number;
}

export interface NearbyConnection<T> {
  readonly edges: NearbyEdge<T>[];
  readonly pageInfo: Connection<T>['pageInfo'];
}

/** Distances are shown to 10 m; more digits would suggest a precision they do not have. */
export const roundKm = (km: number): number => Math.round(km * 100) / 100;

interface NearbyCursor {
  /** Distance from the center in whole metres. */
  readonly metres: number;
  readonly id: string;
}

/**
 * The page of `rows` within `radiusKm` of `center` (exact distance), nearest first and by id
 * at the same distance, that follows `args.after`. Cursors are keys, not offsets: the
 * distance rounded to metres and the id, so a row that left an earlier page meanwhile (a
 * delivery another rider claimed) does not make the next page skip one. Refuses a page size
 * out of range (`first`) or a cursor this function did not make (`after`) with
 * `BAD_USER_INPUT`.
 */
export function nearbyPage<T>(
  rows: readonly T[],
  search: NearbySearch<T>,
  args: ConnectionArgs,
): NearbyConnection<T> {
  const size = pageSize(args);
  const after = args.after ? decodeCursor(args.after, isNearbyCursor) : null;
  const nearby = rows
    .map((node) => {
      const km = distanceKm(search.center, search.locationOf(node));
      return { node, km, key: { metres: Math.round(km * 1000), id: search.idOf(node) } };
    })
    .filter(({ km, key }) => km <= search.radiusKm && (!after || compareKeys(key, after) > 0))
    .sort((a, b) => compareKeys(a.key, b.key));
  const edges = nearby.slice(0, size).map(({ node, km, key }) => ({
    cursor: encodeCursor(key),
    node,
    distanceKm: roundKm(km),
  }));
  return {
    edges,
    pageInfo: { hasNextPage: nearby.length > size, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/** Ids compare by UTF-16 code units, the same way in the sort and in the cursor's filter. */
const compareKeys = (a: NearbyCursor, b: NearbyCursor): number =>
  a.metres - b.metres || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const isNearbyCursor = (value: unknown): value is NearbyCursor => {
  const { metres, id } = (value ?? {}) as { metres?: unknown; id?: unknown };
  return Number.isInteger(metres) && (metres as number) >= 0 && typeof id === 'string';
};
