import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requireRole, transact, type UseCase } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import { type KitchenTicketInput, requireOwnStoreTicket } from './kitchen-ticket.access.js';
import type { KitchenTicketState } from './kitchen-ticket.aggregate.js';
import type { KitchenTicketRepository } from './kitchen-ticket.repository.js';

/** Flow 5: the order is cooked; its `kitchen.order.ready-for-pickup` offers it to riders. */
export class FinishCooking implements UseCase<KitchenTicketInput, KitchenTicketState> {
  constructor(
    private readonly outbox: Outbox<Tx>,
    private readonly tickets: KitchenTicketRepository,
  ) {}

  execute(viewer: Viewer | null, input: KitchenTicketInput): Promise<KitchenTicketState> {
    const owner = requireRole(viewer, 'STORE_OWNER');
    return transact(this.outbox, async (tx) => {
      const ticket = requireOwnStoreTicket(owner, await this.tickets.find(tx, input.orderId));
      ticket.finishCooking(owner, new Date());
      await this.tickets.save(tx, ticket);
      return ticket.state;
    });
  }
}
