import { ConflictError } from '@baedal/domain';

/**
 * Runs `work` again when it fails with `ConflictError` (someone changed the same entity
 * first), up to `attempts` times in all. For changes the system makes on its own behalf,
 * which are safe to recompute from fresh state; a person's conflicting action should see
 * the conflict instead.
 */
export async function retryOnConflict<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= attempts) throw error;
    }
  }
}
