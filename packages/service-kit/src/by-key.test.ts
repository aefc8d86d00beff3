import { describe, expect, it } from 'vitest';
import { byKey } from './by-key.js';

describe('byKey', () => {
  it('answers one row or null per key, in the order of the keys', () => {
    const rows = [{ id: 'b' }, { id: 'a' }];
    expect(byKey(['a', 'x', 'b', 'a'], rows, (row) => row.id)).toEqual([
      { id: 'a' },
      null,
      { id: 'b' },
      { id: 'a' },
    ]);
  });
});
