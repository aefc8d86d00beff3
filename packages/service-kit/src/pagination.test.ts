import { describe, expect, it } from 'vitest';
import {
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

  it('round-trips a time cursor', () => {
    const at = new Date('2026-11-20T12:00:00.123Z');
    expect(decodeTimeCursor(encodeCursor(timeCursor(at, 'x')))).toEqual({ at, id: 'x' });
  });

  it('refuses a cursor it did not issue, naming `after`', () => {
    for (const cursor of [
      'garbage',
      encodeCursor({ at: 'not a date', id: 'x' }),
      encodeCursor([1]),
    ]) {
      expect(() => decodeTimeCursor(cursor)).toThrow(
        expect.objectContaining({ details: { field: 'after' } }),
      );
    }
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
