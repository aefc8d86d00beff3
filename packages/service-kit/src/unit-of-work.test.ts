import { ConflictError, StaleVersionError } from '@baedal/domain';
import type { UnitOfWork } from '@baedal/event-bus';
import { describe, expect, it } from 'vitest';
import { requireUpdated, transact } from './unit-of-work.js';

/** Runs work in no transaction at all: these tests are about the retries around it. */
const direct: UnitOfWork<null> = {
  transaction: (work) => work(null),
  ping: async () => {},
};

describe('transact', () => {
  it('runs the work again after a stale save, and answers its first success', async () => {
    let calls = 0;
    const result = await transact(direct, async () => {
      calls += 1;
      if (calls < 3) throw new StaleVersionError('order', 'o-1');
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after the last attempt, with the conflict', async () => {
    let calls = 0;
    const failing = transact(
      direct,
      async () => {
        calls += 1;
        throw new StaleVersionError('order', 'o-1');
      },
      2,
    );
    await expect(failing).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(calls).toBe(2);
  });

  it('does not run the work again for any other error, a domain conflict included', async () => {
    for (const error of [new Error('broken'), new ConflictError('another rider was first')]) {
      let calls = 0;
      await expect(
        transact(direct, async () => {
          calls += 1;
          throw error;
        }),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
    }
  });
});

describe('requireUpdated', () => {
  it('refuses an update that matched no row as stale', () => {
    expect(() => requireUpdated(0, 'order', 'o-1')).toThrow(StaleVersionError);
    expect(() => requireUpdated(1, 'order', 'o-1')).not.toThrow();
  });
});
