import { BadUserInputError } from '@baedal/domain';
import type { Viewer } from '@baedal/identity';
import { requireOwner } from '@baedal/service-kit';
import type { KitchenTicket } from './kitchen-ticket.aggregate.js';

/** Whose an order is, and whose store it is for: a kitchen ticket, or a review. */
export interface OrderParties {
  readonly customerId: string;
  readonly store: { readonly ownerId: string };
}

/**
 * What the kitchen knows of an order (its ticket, its review) is visible to its customer, its
 * store's owner, and administrators.
 */
export function canSeeOrder(viewer: Viewer | null, order: OrderParties): boolean {
  if (!viewer) return false;
  switch (viewer.role) {
    case 'ADMIN':
      return true;
    case 'CUSTOMER':
      return order.customerId === viewer.id;
    case 'STORE_OWNER':
      return order.store.ownerId === viewer.id;
    default:
      return false;
  }
}

/** What every store owner's command on a ticket names. */
export interface KitchenTicketInput {
  readonly orderId: string;
}

/**
 * The ticket a store owner's command names in `input.orderId`: `BAD_USER_INPUT` when there
 * is none, `FORBIDDEN` when it is for a store that `owner` does not own.
 */
export function requireOwnStoreTicket(owner: Viewer, ticket: KitchenTicket | null): KitchenTicket {
  if (!ticket)
    throw new BadUserInputError('input.orderId', 'no kitchen has an order with this id.');
  requireOwner(owner, ticket.state.store.ownerId, 'This order is for a store you do not own.');
  return ticket;
}
