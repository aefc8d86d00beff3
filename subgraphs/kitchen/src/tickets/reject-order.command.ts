import { requireText } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requireRole, transact, type UseCase } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import { type KitchenTicketInput, requireOwnStoreTicket } from './kitchen-ticket.access.js';
import { defaultRejectionReason, type KitchenTicketState } from './kitchen-ticket.aggregate.js';
import type { KitchenTicketRepository } from './kitchen-ticket.repository.js';

export interface RejectOrderInput extends KitchenTicketInput {
  /** One line, up to 500 characters; "Rejected by the store." when not given. */
  readonly reason?: string | null;
}

/**
 * Flow 5: the store's owner turns down a new order (only while it is PENDING). Its
 * `kitchen.order.rejected` makes the order subgraph end the order and the payment subgraph
 * refund it; the customer reads the reason in the order's timeline.
 */
export class RejectOrder implements UseCase<RejectOrderInput, KitchenTicketState> {
  constructor(
    private readonly outbox: Outbox<Tx>,
    private readonly tickets: KitchenTicketRepository,
  ) {}

  execute(viewer: Viewer | null, input: RejectOrderInput): Promise<KitchenTicketState> {
    const owner = requireRole(viewer, 'STORE_OWNER');
    const reason =
      input.reason == null
        ? defaultRejectionReason
        : requireText(input.reason, 'input.reason', 500);
    return transact(this.outbox, async (tx) => {
      const ticket = requireOwnStoreTicket(owner, await this.tickets.find(tx, input.orderId));
      ticket.reject(reason, owner, new Date());
      await this.tickets.save(tx, ticket);
      return ticket.state;
    });
  }
}
