import type { TicketCancellationAnswer, TicketCancellationRequest } from '@baedal/contracts';
import { type Actor, ForbiddenError, systemActor } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { transact, type UseCase } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import type { EarlyCancellationRepository } from './early-cancellation.repository.js';
import type { KitchenTicketRepository } from './kitchen-ticket.repository.js';

const canceled: TicketCancellationAnswer = { status: 'CANCELED' };

/**
 * Flow 6: a customer cancels their order, and the order subgraph asks the kitchen whether the
 * cancel wins (see `ticketCancellationRoute`, which lets only the order subgraph ask, on
 * behalf of `viewer`). The ticket decides: a PENDING or ACCEPTED ticket is canceled and
 * announces `kitchen.order.canceled`; asking again for a canceled one answers the same and
 * changes nothing; a ticket that is cooking or further on, or rejected, refuses with
 * `INVALID_TRANSITION` and its status. Racing with "cooking started", exactly one of the two
 * saves the ticket first and the other, run again, is refused.
 *
 * A cancel that arrives before the order does is kept, and answered as won: the order's
 * ticket is created canceled when it arrives. A `customerId` that is not the order's is
 * `FORBIDDEN`.
 */
export class CancelTicket implements UseCase<TicketCancellationRequest, TicketCancellationAnswer> {
  constructor(
    private readonly outbox: Outbox<Tx>,
    private readonly tickets: KitchenTicketRepository,
    private readonly earlyCancellations: EarlyCancellationRepository,
  ) {}

  execute(
    viewer: Viewer | null,
    input: TicketCancellationRequest,
  ): Promise<TicketCancellationAnswer> {
    const by: Actor = viewer ?? systemActor;
    return transact(this.outbox, async (tx) => {
      let ticket = await this.tickets.find(tx, input.orderId);
      if (!ticket) {
        // The order may be arriving right now: look again holding the order's lock, which its
        // arrival takes too, so that it is either seen now or sees this cancel.
        await this.tickets.lockOrder(tx, input.orderId);
        ticket = await this.tickets.find(tx, input.orderId);
        if (!ticket) return this.#cancelEarly(tx, input, by);
      }
      requireCustomer(input, ticket.state.customerId);
      ticket.cancel(input.reason, by, new Date());
      await this.tickets.save(tx, ticket);
      return canceled;
    });
  }

  async #cancelEarly(
    tx: Tx,
    input: TicketCancellationRequest,
    by: Actor,
  ): Promise<TicketCancellationAnswer> {
    const earlier = await this.earlyCancellations.find(tx, input.orderId);
    if (earlier) {
      requireCustomer(input, earlier.customerId);
      return canceled;
    }
    const { orderId, storeId, customerId, reason } = input;
    await this.earlyCancellations.add(tx, {
      orderId,
      storeId,
      customerId,
      reason,
      by,
      at: new Date(),
    });
    return canceled;
  }
}

function requireCustomer(input: TicketCancellationRequest, customerId: string): void {
  if (input.customerId !== customerId) {
    throw new ForbiddenError("This order is not this customer's.");
  }
}
