import { type Actor, isRole, systemActor } from '@baedal/domain';
import type { Tx } from '../db.js';
import type { EarlyCancellation as Row } from '../generated/prisma/client.js';
import type { Cancellation } from './kitchen-ticket.aggregate.js';

/** A cancel of an order the kitchen has not received yet, and whose it is. */
export interface EarlyCancellation extends Cancellation {
  readonly orderId: string;
  readonly storeId: string;
  readonly customerId: string;
}

/**
 * Cancels that reached the kitchen before their order did (the order's `order.placed` event
 * was still on the way): the order's ticket is created canceled when it arrives. Callers hold
 * the order's lock (`KitchenTicketRepository.lockOrder`), so a cancel and the order's arrival
 * never miss each other.
 */
export class EarlyCancellationRepository {
  async find(tx: Tx, orderId: string): Promise<EarlyCancellation | null> {
    const row = await tx.earlyCancellation.findUnique({ where: { orderId } });
    return row && toCancellation(row);
  }

  async add(tx: Tx, cancellation: EarlyCancellation): Promise<void> {
    const { by, at, ...rest } = cancellation;
    await tx.earlyCancellation.create({
      data: { ...rest, actorRole: by.role, actorId: by.id, canceledAt: at },
    });
  }

  /** The order's early cancellation, if there is one, which it removes: its ticket now exists. */
  async take(tx: Tx, orderId: string): Promise<EarlyCancellation | null> {
    const cancellation = await this.find(tx, orderId);
    if (cancellation) await tx.earlyCancellation.delete({ where: { orderId } });
    return cancellation;
  }
}

function toCancellation(row: Row): EarlyCancellation {
  return {
    orderId: row.orderId,
    storeId: row.storeId,
    customerId: row.customerId,
    reason: row.reason,
    by: toActor(row.actorRole, row.actorId),
    at: row.canceledAt,
  };
}

function toActor(role: string, id: string | null): Actor {
  return isRole(role) && id !== null ? { role, id } : systemActor;
}
