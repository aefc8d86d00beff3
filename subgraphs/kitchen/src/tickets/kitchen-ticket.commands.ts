import { type Actor, BadUserInputError } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requireOwner, requireRole } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import type { KitchenTicket, KitchenTicketState } from './kitchen-ticket.aggregate.js';
import type { KitchenTicketRepository } from './kitchen-ticket.repository.js';

type Change = (ticket: KitchenTicket, by: Actor, at: Date, tx: Tx) => void | Promise<void>;

/** What store owners do with the tickets of their stores. */
export class KitchenTicketCommands {
  constructor(
    private readonly outbox: Outbox<Tx>,
    private readonly tickets: KitchenTicketRepository,
  ) {}

  accept(viewer: Viewer | null, orderId: string): Promise<KitchenTicketState> {
    return this.#act(viewer, orderId, (ticket, by, at) => ticket.accept(by, at));
  }

  /** Starting to cook also counts the items towards the store's popular menu. */
  startCooking(viewer: Viewer | null, orderId: string): Promise<KitchenTicketState> {
    return this.#act(viewer, orderId, async (ticket, by, at, tx) => {
      ticket.startCooking(by, at);
      for (const item of ticket.state.items) {
        await tx.menuItem.updateMany({
          where: { id: item.menuItemId },
          data: { cookedCount: { increment: item.quantity } },
        });
      }
    });
  }

  finishCooking(viewer: Viewer | null, orderId: string): Promise<KitchenTicketState> {
    return this.#act(viewer, orderId, (ticket, by, at) => ticket.finishCooking(by, at));
  }

  /** Loads the ticket, checks it is for one of the viewer's stores, changes and saves it. */
  #act(viewer: Viewer | null, orderId: string, change: Change): Promise<KitchenTicketState> {
    const actor = requireRole(viewer, 'STORE_OWNER');
    return this.outbox.transaction(async (tx) => {
      const ticket = await this.tickets.find(tx, orderId);
      if (!ticket)
        throw new BadUserInputError('input.orderId', 'no kitchen has an order with this id.');
      requireOwner(actor, ticket.state.store.ownerId, 'This order is for a store you do not own.');
      await change(ticket, actor, new Date(), tx);
      await this.tickets.save(tx, ticket);
      return ticket.state;
    });
  }
}
