import { afterEach, describe, expect, it, vi } from 'vitest';
import { PeriodicJob } from './background-job.js';
import { createLogger } from './logger.js';

const logger = createLogger('test', { level: 'silent', format: 'json' });
const anHour = 60 * 60 * 1000;

const started: PeriodicJob[] = [];
afterEach(async () => {
  for (const job of started.splice(0)) await job[Symbol.asyncDispose]();
});

/** A job whose rounds are counted and whose waits for the next round can be awaited. */
function countingJob(
  round: (count: number, signal: AbortSignal) => Promise<void> = async () => {},
) {
  let rounds = 0;
  const waiting: { count: number; resolve: () => void }[] = [];
  const job = new PeriodicJob({
    name: 'test',
    intervalMs: anHour,
    logger,
    round: async (signal) => {
      rounds += 1;
      for (const wait of waiting.filter((wait) => wait.count <= rounds)) wait.resolve();
      await round(rounds, signal);
    },
  });
  started.push(job);
  const roundStarted = (count: number) =>
    new Promise<void>((resolve) => {
      if (rounds >= count) resolve();
      else waiting.push({ count, resolve });
    });
  return { job, roundStarted, rounds: () => rounds };
}

describe('periodic job', () => {
  it('runs a round as soon as it starts, and another one when woken', async () => {
    const { job, roundStarted, rounds } = countingJob();
    job.start();
    await roundStarted(1);

    job.wake();
    await roundStarted(2);
    expect(rounds()).toBeGreaterThanOrEqual(2);
  });

  it('runs a round after the one under way when woken during it, never two at once', async () => {
    let inRound = 0;
    let overlapped = false;
    let release!: () => void;
    const firstHeld = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { job, roundStarted } = countingJob(async (count) => {
      inRound += 1;
      if (inRound > 1) overlapped = true;
      if (count === 1) await firstHeld;
      inRound -= 1;
    });
    job.start();
    await roundStarted(1);
    job.wake();
    release();

    await roundStarted(2);
    expect(overlapped).toBe(false);
  });

  it('logs a failed round and keeps running', async () => {
    const error = vi.spyOn(logger, 'error');
    const { job, roundStarted } = countingJob(async (count) => {
      if (count === 1) throw new Error('the card provider is down');
    });
    job.start();
    await roundStarted(1);
    job.wake();

    await roundStarted(2);
    expect(error).toHaveBeenCalledWith(
      expect.objectContaining({ job: 'test', err: expect.any(Error) }),
      'background job failed',
    );
  });

  it('aborts the round under way when disposed, and waits for it to end', async () => {
    let ended = false;
    const { job, roundStarted } = countingJob(async (_, signal) => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      ended = true;
    });
    job.start();
    await roundStarted(1);

    await job[Symbol.asyncDispose]();
    expect(ended).toBe(true);
  });
});
