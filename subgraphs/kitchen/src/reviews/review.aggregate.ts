import type { KitchenTicket } from '../tickets/kitchen-ticket.aggregate.js';

export interface ReviewState {
  /** The reviewed order's id; an order has one review at most. */
  readonly orderId: string;
  readonly storeId: string;
  readonly customerId: string;
  /** From 1 to 5. */
  readonly stars: number;
  /** Possibly empty. */
  readonly comment: string;
  readonly createdAt: Date;
}

/**
 * A customer's review of a delivered order (flow 12). It is written once and never changed,
 * so it carries no version: the order id as its key keeps it to one per order.
 */
export class Review {
  private constructor(readonly state: ReviewState) {}

  /**
   * Reviews the order of `ticket`, which must be DELIVERED (`INVALID_TRANSITION` with the
   * ticket's status otherwise). `stars` and `comment` are already valid input.
   */
  static write(
    ticket: KitchenTicket,
    rating: { readonly stars: number; readonly comment: string },
    at: Date,
  ): Review {
    ticket.requireReviewable();
    const { orderId, store, customerId } = ticket.state;
    return new Review({ orderId, storeId: store.id, customerId, ...rating, createdAt: at });
  }
}
