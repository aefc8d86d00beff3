import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { PeriodicJob } from './periodic-job.js';
import { eventually } from './testing.js';

const logger = createLogger('test', { level: 'silent', format: 'json' });

describe('PeriodicJob', () => {
  it('runs at start, again on every interval, and keeps going after a failed run', async () => {
    let runs = 0;
    const job = new PeriodicJob({
      name: 'counting',
      intervalMs: 10,
      logger,
      run: async () => {
        runs += 1;
        if (runs === 2) throw new Error('one bad run');
      },
    });
    job.start();
    await eventually(() => expect(runs).toBeGreaterThanOrEqual(4));
    await job[Symbol.asyncDispose]();
  });

  it('never overlaps runs: a wake during a run runs once more after it', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release: () => void = () => {};
    const job = new PeriodicJob({
      name: 'slow',
      intervalMs: 60_000,
      logger,
      run: async () => {
        active += 1;
        runs += 1;
        maxActive = Math.max(maxActive, active);
        if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
        active -= 1;
      },
    });
    job.start();
    job.wake();
    job.wake();
    release();
    await eventually(() => expect(runs).toBe(2));
    expect(maxActive).toBe(1);
    await job[Symbol.asyncDispose]();
  });

  it('stops when disposed: no run starts afterwards', async () => {
    let runs = 0;
    const job = new PeriodicJob({
      name: 'stopping',
      intervalMs: 5,
      logger,
      run: async () => {
        runs += 1;
      },
    });
    job.start();
    await job[Symbol.asyncDispose]();
    const after = runs;
    job.wake();
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(after);
  });
});
