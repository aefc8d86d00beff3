import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requireRole, transact, type UseCase } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import { addCookedPortions } from '../stores/popular-items.repository.js';
import { type KitchenTicketInput, requireOwnStoreTicket } from './kitchen-ticket.access.js';
import type { KitchenTicketState } from './kitchen-ticket.aggregate.js';
import type { KitchenTicketRepository } from './kitchen-ticket.repository.js';

/**
 * Flow 5: cooking of an accepted order starts; from now on its customer can no longer cancel
 * it. The order's items count towards the store's popular menu in the same transaction, so
 * they count only if cooking really started: when a cancel saved the ticket first, this
 * command runs again on the canceled ticket and is refused (`INVALID_TRANSITION`).
 */
export class StartCooking implements UseCase<KitchenTicketInput, KitchenTicketState> {
  constructor(
    private readonly outbox: Outbox<Tx>,
    private readonly tickets: KitchenTicketRepository,
  ) {}

  execute(viewer: Viewer | null, input: KitchenTicketInput): Promise<KitchenTicketState> {
    const owner = requireRole(viewer, 'STORE_OWNER');
    return transact(this.outbox, async (tx) => {
      const ticket = requireOwnStoreTicket(owner, await this.tickets.find(tx, input.orderId));
      ticket.startCooking(owner, new Date());
      await this.tickets.save(tx, ticket);
      await addCookedPortions(tx, ticket.state.items);
      return ticket.state;
    });
  }
}
