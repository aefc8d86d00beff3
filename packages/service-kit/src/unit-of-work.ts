import { StaleVersionError } from '@baedal/domain';
import type { UnitOfWork } from '@baedal/event-bus';

/**
 * Runs a command's `work` in one transaction, and runs it again from the start when a
 * versioned save found its entity changed since it was loaded (`StaleVersionError`, say an
 * event applied meanwhile). The work loads the entity afresh each time, so a command that is
 * still valid on the new state succeeds, and one the new state no longer allows is refused by
 * the entity itself (`INVALID_TRANSITION`). After `attempts` stale saves in a row the
 * conflict reaches the caller (`CONFLICT`).
 */
export async function transact<Tx, R>(
  unitOfWork: UnitOfWork<Tx>,
  work: (tx: Tx) => Promise<R>,
  attempts = 5,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await unitOfWork.transaction(work);
    } catch (error) {
      if (!(error instanceof StaleVersionError) || attempt >= attempts) throw error;
    }
  }
}

/**
 * The check every repository makes after a versioned update (`WHERE id = ? AND version =
 * <loaded version>`): no row updated means someone saved the entity first.
 */
export function requireUpdated(count: number, entity: string, id: string): void {
  if (count === 0) throw new StaleVersionError(entity, id);
}
