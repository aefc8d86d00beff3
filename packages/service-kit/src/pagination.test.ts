import { describe, expect, it } from 'vitest';
import {
  afterTimeCursor,
  decodeTimeCursor,
  encodeCursor,
  pageSize,
  timeCursor,
  toConnection,
} from './pagination.js';

describe('pagination', () => {
  it('pages with one extra row telling whether there is a next page', () => {
    const page = toConnection([1, 2, 3], 2, (n) => ({ n }));
    expect(page.edges.map((edge) => edge.node)).toEqual([1, 2]);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: encodeCursor({ n: 2 }) });
    expect(toConnection([1], 2, (n) => ({ n })).pageInfo.hasNextPage).toBe(false);
    expect(toConnection([], 2, (n) => ({ n })).pageInfo).toEqual({
      hasNextPage: false,
      endCursor: null,
    });
  });

  const id = '8f14e45f-ceea-467f-a0e6-1d7f3c9b2a10';

  it('round-trips a time cursor', () => {
    const at = new Date('2026-11-20T12:00:00.123Z');
    expect(decodeTimeCursor(encodeCursor(timeCursor(at, id)))).toEqual({ at, id });
    const earliest = new Date('0001-01-01T00:00:00.000Z');
    expect(decodeTimeCursor(encodeCursor(timeCursor(earliest, id))).at).toEqual(earliest);
  });

  it('refuses a cursor it did not issue, naming `after`', () => {
    for (const cursor of ['garbage', encodeCursor({ at: 'not a date', id }), encodeCursor([1])]) {
      expect(() => decodeTimeCursor(cursor)).toThrow(
        expect.objectContaining({ details: { field: 'after' } }),
      );
    }
  });

  it('refuses a forged time cursor whose id is no UUID or whose year the database refuses', () => {
    const at = '2026-11-20T12:00:00.123Z';
    for (const cursor of [
      encodeCursor({ at, id: 'x' }),
      encodeCursor({ at, id: `${id}\u0000` }),
      encodeCursor({ at, id: 42 }),
      encodeCursor({ at: '+010000-01-01T00:00:00.000Z', id }),
      encodeCursor({ at: '0000-12-31T23:59:59.999Z', id }),
      encodeCursor({ at: '-000001-01-01T00:00:00.000Z', id }),
    ]) {
      expect(() => decodeTimeCursor(cursor)).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'after' } }),
      );
    }
  });

  it('selects the rows after a time cursor, newest first, ties broken by id', () => {
    const at = new Date('2026-11-20T12:00:00.123Z');
    expect(afterTimeCursor({ at, id }, 'placedAt', 'orderId')).toEqual({
      OR: [{ placedAt: { lt: at } }, { placedAt: at, orderId: { lt: id } }],
    });
  });

  it('refuses a page size out of range, naming `first`', () => {
    expect(pageSize({})).toBe(20);
    expect(pageSize({ first: 100 })).toBe(100);
    for (const first of [0, 101, 1.5]) {
      expect(() => pageSize({ first })).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'first' } }),
      );
    }
  });
});
