import { setTimeout as sleep } from 'node:timers/promises';
import {
  BadUserInputError,
  ForbiddenError,
  requireIntInRange,
  requireParagraph,
} from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { requirePerson, transact, type UseCase } from '@baedal/service-kit';
import type { Db, Tx } from '../db.js';
import type { KitchenTicket } from '../tickets/kitchen-ticket.aggregate.js';
import type { KitchenTicketRepository } from '../tickets/kitchen-ticket.repository.js';
import { Review, type ReviewState } from './review.aggregate.js';
import type { ReviewRepository } from './review.repository.js';

export interface ReviewOrderInput {
  readonly orderId: string;
  /** An integer from 1 to 5. */
  readonly stars: number;
  /** Up to 1000 characters, line breaks allowed; empty when not given. */
  readonly comment?: string | null;
}

/** How often a review waiting for its order's delivery looks at the ticket again. */
const deliveryPollMs = 100;

/**
 * Flow 12: a customer reviews one of their delivered orders, once. The review and the
 * store's new rating are saved together. Refusals: another role (`FORBIDDEN`), bad stars or
 * comment (`BAD_USER_INPUT` naming the field), an unknown order (`BAD_USER_INPUT` on
 * `input.orderId`), another customer's order (`FORBIDDEN`), an order not delivered
 * (`INVALID_TRANSITION` with the ticket's status), a second review (`CONFLICT`).
 */
export class ReviewOrder implements UseCase<ReviewOrderInput, ReviewState> {
  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox<Tx>,
    private readonly tickets: KitchenTicketRepository,
    private readonly reviews: ReviewRepository,
    /** How long a review of a READY order waits for it to be delivered (see `#awaitDelivery`). */
    private readonly deliveryWaitMs: number,
  ) {}

  async execute(viewer: Viewer | null, input: ReviewOrderInput): Promise<ReviewState> {
    // The review is recorded as the viewer's own, so only the customer may write it.
    const customer = requirePerson(viewer, 'CUSTOMER');
    const stars = requireIntInRange(input.stars, 'input.stars', 1, 5);
    const comment = requireParagraph(input.comment ?? '', 'input.comment', 1000);
    await this.#awaitDelivery(customer, input.orderId);
    return transact(this.outbox, async (tx) => {
      const ticket = await this.#customersTicket(tx, customer, input.orderId);
      const review = Review.write(ticket, { stars, comment }, new Date());
      await this.reviews.add(tx, review);
      return review.state;
    });
  }

  /**
   * The customer confirms receipt in the order subgraph, and the kitchen learns of it from
   * `order.delivered`, so a review sent right after may arrive first. While the ticket is
   * READY, this looks again until it is DELIVERED or `deliveryWaitMs` passed; the review then
   * takes the ticket as it is. An unknown order or another customer's is refused at once.
   */
  async #awaitDelivery(customer: Viewer, orderId: string): Promise<void> {
    const deadline = Date.now() + this.deliveryWaitMs;
    let ticket = await this.#customersTicket(this.db, customer, orderId);
    while (ticket.state.status === 'READY' && Date.now() < deadline) {
      await sleep(deliveryPollMs);
      ticket = await this.#customersTicket(this.db, customer, orderId);
    }
  }

  async #customersTicket(db: Db | Tx, customer: Viewer, orderId: string): Promise<KitchenTicket> {
    const ticket = await this.tickets.find(db, orderId);
    if (!ticket)
      throw new BadUserInputError('input.orderId', 'no kitchen has an order with this id.');
    if (ticket.state.customerId !== customer.id)
      throw new ForbiddenError('This order is not yours.');
    return ticket;
  }
}
