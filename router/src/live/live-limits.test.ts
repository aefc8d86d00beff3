import { describe, expect, it } from 'vitest';
import { LiveLimits } from './live-limits.js';

const limits = (change: Partial<LiveLimits['options']> = {}) =>
  new LiveLimits({
    maxConnectionsPerPerson: 2,
    maxSubscriptionsPerPerson: 3,
    subscriptionsPerMinutePerPerson: 100,
    ...change,
  });

/** A connection running `operations()` operations, that records it was cut. */
const connection = (operations = () => 0) => {
  const cuts: string[] = [];
  return { operations, cut: (reason: string) => void cuts.push(reason), cuts };
};

describe('LiveLimits', () => {
  it("refuses a person's connection past their limit, and takes one again once one ends", () => {
    const live = limits();
    const first = live.connect('CUSTOMER:c1', connection());
    expect(live.connect('CUSTOMER:c1', connection())).toBeTypeOf('function');
    expect(live.connect('CUSTOMER:c1', connection())).toBeNull();
    expect(live.connect('CUSTOMER:c2', connection())).toBeTypeOf('function');
    first!();
    first!();
    expect(live.connect('CUSTOMER:c1', connection())).toBeTypeOf('function');
    expect(live.connect('CUSTOMER:c1', connection())).toBeNull();
  });

  it("counts a person's operations across their connections, the one asked for included", async () => {
    const live = limits();
    let [a, b] = [1, 1];
    live.connect(
      'RIDER:r1',
      connection(() => a),
    );
    live.connect(
      'RIDER:r1',
      connection(() => b),
    );
    expect(live.admit('RIDER:r1')).toBeNull();
    b = 2;
    expect(live.admit('RIDER:r1')).toBeNull();
    a = 2;
    expect(live.admit('RIDER:r1')).toEqual({
      code: 'TOO_MANY_SUBSCRIPTIONS',
      message: 'At most 3 subscriptions at once per person.',
    });
  });

  it('refuses new operations past the rate per person, saying when to retry, then calls it a flood', () => {
    const live = limits({ subscriptionsPerMinutePerPerson: 2 });
    const [first, second, other] = [connection(() => 1), connection(), connection()];
    live.connect('RIDER:r1', first);
    live.connect('RIDER:r1', second);
    live.connect('RIDER:r2', other);
    expect(live.admit('RIDER:r1')).toBeNull();
    expect(live.admit('RIDER:r1')).toBeNull();
    for (let attempt = 3; attempt <= 4; attempt++) {
      const refusal = live.admit('RIDER:r1');
      expect(refusal).toMatchObject({ code: 'RATE_LIMITED' });
      expect(refusal?.message).toMatch(
        /^At most 2 new subscriptions a minute per person; retry in \d+ s\.$/,
      );
      expect(refusal?.retryAfterMs).toBeGreaterThan(0);
    }
    expect(first.cuts).toEqual([]);
    expect(live.admit('RIDER:r1')).toEqual({
      code: 'FLOODING',
      message: 'Far more than 2 new subscriptions a minute.',
    });
    // Every connection of the flooding person is cut, and nobody else's.
    expect(first.cuts).toEqual(['Far more than 2 new subscriptions a minute.']);
    expect(second.cuts).toEqual(['Far more than 2 new subscriptions a minute.']);
    expect(other.cuts).toEqual([]);
    expect(live.admit('RIDER:r2')).toBeNull();
  });

  it("runs a person's openings one at a time, in order, whatever each one's outcome", async () => {
    const live = limits();
    const log: string[] = [];
    const step =
      (name: string, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      live.serially('p', step('a', true)),
      live.serially('p', step('b')),
      live.serially('q', step('c')),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('start b')).toBeGreaterThan(log.indexOf('end a'));
    expect(log.indexOf('start c')).toBeLessThan(log.indexOf('end a'));
  });
});
