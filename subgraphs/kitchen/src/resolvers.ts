import { ForbiddenError } from '@baedal/domain';
import { dateTimeScalar, requireOwner, requireRole } from '@baedal/service-kit';
import type { KitchenContext } from './context.js';
import type { Db } from './db.js';
import type { Store } from './generated/prisma/client.js';
import { storeReviews } from './reviews/review.queries.js';
import type { ReviewOrder } from './reviews/review-order.command.js';
import type { Resolvers } from './schema.generated.js';
import { popularItems, storeLocation, storesNear, storeTickets } from './stores/store.queries.js';
import type { UpdateMenuItem } from './stores/update-menu-item.command.js';
import type { AcceptOrder } from './tickets/accept-order.command.js';
import type { FinishCooking } from './tickets/finish-cooking.command.js';
import { canSeeOrder } from './tickets/kitchen-ticket.access.js';
import type { KitchenTicketState, TicketItem } from './tickets/kitchen-ticket.aggregate.js';
import type { RejectOrder } from './tickets/reject-order.command.js';
import type { StartCooking } from './tickets/start-cooking.command.js';

export interface KitchenUseCases {
  readonly db: Db;
  readonly acceptOrder: AcceptOrder;
  readonly rejectOrder: RejectOrder;
  readonly startCooking: StartCooking;
  readonly finishCooking: FinishCooking;
  readonly updateMenuItem: UpdateMenuItem;
  readonly reviewOrder: ReviewOrder;
}

export function createResolvers(useCases: KitchenUseCases): Resolvers {
  const { db } = useCases;

  /**
   * Mutations answer with the ticket as a reader would load it. The command has just saved
   * it, so it is there.
   */
  const ticketPayload = async (state: KitchenTicketState, context: KitchenContext) => ({
    ticket: (await context.loaders.ticket.clear(state.orderId).load(state.orderId))!,
  });

  /** The order's ticket, or null when there is none or the viewer may not see it. */
  const visibleTicket = async (orderId: string, context: KitchenContext) => {
    const ticket = await context.loaders.ticket.load(orderId);
    return ticket && canSeeOrder(context.viewer, ticket) ? ticket : null;
  };

  /** The store's owner (and administrators) only; `FORBIDDEN` for anyone else. */
  const requireStoreOwner = (store: Store, context: KitchenContext, message: string) =>
    requireOwner(requireRole(context.viewer, 'STORE_OWNER'), store.ownerId, message);

  return {
    DateTime: dateTimeScalar,

    Query: {
      stores: (_, args) => storesNear(db, args.near, args.radiusKm, args),
      store: (_, { id }, context) => context.loaders.store.load(id),
      myStores: (_, __, context) => {
        const owner = requireRole(context.viewer, 'STORE_OWNER');
        return db.store.findMany({ where: { ownerId: owner.id }, orderBy: { name: 'asc' } });
      },
      kitchenTicket: async (_, { orderId }, context) => {
        const ticket = await context.loaders.ticket.load(orderId);
        if (ticket && !canSeeOrder(context.viewer, ticket)) {
          throw new ForbiddenError("This order is not yours or your store's.");
        }
        return ticket;
      },
    },

    Mutation: {
      acceptOrder: async (_, { input }, context) =>
        ticketPayload(await useCases.acceptOrder.execute(context.viewer, input), context),
      rejectOrder: async (_, { input }, context) =>
        ticketPayload(await useCases.rejectOrder.execute(context.viewer, input), context),
      startCooking: async (_, { input }, context) =>
        ticketPayload(await useCases.startCooking.execute(context.viewer, input), context),
      finishCooking: async (_, { input }, context) =>
        ticketPayload(await useCases.finishCooking.execute(context.viewer, input), context),
      updateMenuItem: async (_, { input }, context) => {
        const menuItem = await useCases.updateMenuItem.execute(context.viewer, input);
        context.loaders.menu.clear(menuItem.storeId);
        return { menuItem };
      },
      reviewOrder: async (_, { input }, context) => {
        const review = await useCases.reviewOrder.execute(context.viewer, input);
        // So that `review { store { rating } }` counts the review just written.
        context.loaders.store.clear(review.storeId);
        return { review };
      },
    },

    Store: {
      __resolveReference: ({ id }, context) => context.loaders.store.load(id),
      location: storeLocation,
      menu: (store, _, context) => context.loaders.menu.load(store.id),
      rating: (store) => ({
        average: store.ratingCount > 0 ? store.ratingTotal / store.ratingCount : null,
        count: store.ratingCount,
      }),
      popularItems: async (store, { first }, context) =>
        popularItems(await context.loaders.menu.load(store.id), first),
      tickets: (store, args, context) => {
        requireStoreOwner(store, context, "Only the store's owner sees its orders.");
        return storeTickets(db, store, args);
      },
      reviews: (store, args, context) => {
        requireStoreOwner(store, context, "Only the store's owner reads its reviews.");
        return storeReviews(db, store.id, args);
      },
    },

    MenuItem: {
      __resolveReference: ({ id }, context) => context.loaders.menuItem.load(id),
      store: (item, _, context) => existing(context.loaders.store.load(item.storeId)),
    },

    KitchenTicket: {
      __resolveReference: ({ id }, context) => visibleTicket(id, context),
      id: (ticket) => ticket.orderId,
      order: (ticket) => ({ id: ticket.orderId }),
      store: (ticket) => ticket.store,
      items: (ticket) => ticket.items as TicketItem[],
    },

    KitchenTicketItem: {
      menuItem: (item, _, context) => existing(context.loaders.menuItem.load(item.menuItemId)),
    },

    Review: {
      id: (review) => review.orderId,
      store: (review, _, context) => existing(context.loaders.store.load(review.storeId)),
    },

    Order: {
      __resolveReference: ({ id }) => ({ id }),
      kitchenTicket: ({ id }, _, context) => visibleTicket(id, context),
      review: async ({ id }, _, context) => {
        const review = await context.loaders.review.load(id);
        return review && canSeeOrder(context.viewer, review) ? review : null;
      },
    },
  };
}

/**
 * A store or menu item that another row refers to (a menu item's store, a ticket's items, a
 * review's store): stores and menu items are never deleted, so it is there.
 */
async function existing<T>(row: Promise<T | null>): Promise<T> {
  return (await row)!;
}
