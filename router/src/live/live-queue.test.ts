import { describe, expect, it } from 'vitest';
import { LiveQueue } from './live-queue.js';

function queue(limit = 3) {
  const calls = { overflow: 0, end: 0 };
  const live = new LiveQueue<number>(
    limit,
    () => {
      calls.overflow += 1;
    },
    () => {
      calls.end += 1;
    },
  );
  return { live, calls };
}

describe('LiveQueue', () => {
  it('hands out results in the order they were pushed, waiting for the next one', async () => {
    const { live } = queue();
    live.push(1);
    live.push(2);
    expect(await live.next()).toEqual({ value: 1, done: false });
    expect(await live.next()).toEqual({ value: 2, done: false });
    const waiting = live.next();
    live.push(3);
    expect(await waiting).toEqual({ value: 3, done: false });
  });

  it('disconnects a reader that falls more than `limit` results behind, and stops', async () => {
    const { live, calls } = queue(3);
    for (const value of [1, 2, 3]) live.push(value);
    expect(calls.overflow).toBe(0);
    live.push(4);
    expect(calls).toEqual({ overflow: 1, end: 1 });
    expect(await live.next()).toEqual({ value: undefined, done: true });
    live.push(5);
    expect(live.size).toBe(0);
  });

  it('ends once, when the reader stops it while waiting', async () => {
    const { live, calls } = queue();
    const waiting = live.next();
    await live.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    await live.return();
    expect(calls).toEqual({ overflow: 0, end: 1 });
  });
});
