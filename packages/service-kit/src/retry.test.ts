import { ConflictError } from '@baedal/domain';
import { describe, expect, it } from 'vitest';
import { retryOnConflict } from './retry.js';

describe('retryOnConflict', () => {
  it('tries again after a conflict and returns the first success', async () => {
    let calls = 0;
    const result = await retryOnConflict(async () => {
      calls += 1;
      if (calls < 3) throw new ConflictError('changed meanwhile');
      return 'done';
    });
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after the last attempt, with the conflict', async () => {
    let calls = 0;
    const failing = retryOnConflict(async () => {
      calls += 1;
      throw new ConflictError('always');
    }, 2);
    await expect(failing).rejects.toBeInstanceOf(ConflictError);
    expect(calls).toBe(2);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    await expect(
      retryOnConflict(async () => {
        calls += 1;
        throw new Error('broken');
      }),
    ).rejects.toThrow('broken');
    expect(calls).toBe(1);
  });
});
