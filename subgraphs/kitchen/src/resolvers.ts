import { type Coordinates, ForbiddenError } from '@baedal/domain';
import {
  type ConnectionArgs,
  dateTimeScalar,
  type Resolvers,
  requireOwner,
  requireRole,
} from '@baedal/service-kit';
import type { KitchenContext } from './context.js';
import type { Db } from './db.js';
import type { MenuItem, Store, TicketStatus } from './generated/prisma/client.js';
import type { TicketWithStore } from './loaders.js';
import type { ReviewState } from './reviews/review.aggregate.js';
import { storeReviews } from './reviews/review.queries.js';
import type { ReviewOrder, ReviewOrderInput } from './reviews/review-order.command.js';
import { popularItems, storeLocation, storesNear, storeTickets } from './stores/store.queries.js';
import type { UpdateMenuItem, UpdateMenuItemInput } from './stores/update-menu-item.command.js';
import type { AcceptOrder } from './tickets/accept-order.command.js';
import type { FinishCooking } from './tickets/finish-cooking.command.js';
import { canSeeOrder, type KitchenTicketInput } from './tickets/kitchen-ticket.access.js';
import type { KitchenTicketState, TicketItem } from './tickets/kitchen-ticket.aggregate.js';
import type { RejectOrder, RejectOrderInput } from './tickets/reject-order.command.js';
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

/** A review as a row or as just written: what the `Review` type's resolvers read. */
type ReviewNode = Pick<ReviewState, 'orderId' | 'storeId'>;

export function createResolvers(useCases: KitchenUseCases): Resolvers<KitchenContext> {
  const { db } = useCases;

  /** Mutations answer with the ticket as a reader would load it. */
  const ticketPayload = async (state: KitchenTicketState, context: KitchenContext) => ({
    ticket: await context.loaders.ticket.clear(state.orderId).load(state.orderId),
  });

  /** The store's owner (and administrators) only; `FORBIDDEN` for anyone else. */
  const requireStoreOwner = (store: Store, context: KitchenContext, message: string) =>
    requireOwner(requireRole(context.viewer, 'STORE_OWNER'), store.ownerId, message);

  return {
    DateTime: dateTimeScalar,

    Query: {
      stores: (_: unknown, args: { near: Coordinates; radiusKm: number } & ConnectionArgs) =>
        storesNear(db, args.near, args.radiusKm, args),
      store: (_: unknown, { id }: { id: string }, context: KitchenContext) =>
        context.loaders.store.load(id),
      myStores: (_: unknown, __: unknown, context: KitchenContext) => {
        const owner = requireRole(context.viewer, 'STORE_OWNER');
        return db.store.findMany({ where: { ownerId: owner.id }, orderBy: { name: 'asc' } });
      },
      kitchenTicket: async (
        _: unknown,
        { orderId }: { orderId: string },
        context: KitchenContext,
      ) => {
        const ticket = await context.loaders.ticket.load(orderId);
        if (ticket && !canSeeOrder(context.viewer, ticket)) {
          throw new ForbiddenError("This order is not yours or your store's.");
        }
        return ticket;
      },
    },

    Mutation: {
      acceptOrder: async (
        _: unknown,
        { input }: { input: KitchenTicketInput },
        context: KitchenContext,
      ) => ticketPayload(await useCases.acceptOrder.execute(context.viewer, input), context),
      rejectOrder: async (
        _: unknown,
        { input }: { input: RejectOrderInput },
        context: KitchenContext,
      ) => ticketPayload(await useCases.rejectOrder.execute(context.viewer, input), context),
      startCooking: async (
        _: unknown,
        { input }: { input: KitchenTicketInput },
        context: KitchenContext,
      ) => ticketPayload(await useCases.startCooking.execute(context.viewer, input), context),
      finishCooking: async (
        _: unknown,
        { input }: { input: KitchenTicketInput },
        context: KitchenContext,
      ) => ticketPayload(await useCases.finishCooking.execute(context.viewer, input), context),
      updateMenuItem: async (
        _: unknown,
        { input }: { input: UpdateMenuItemInput },
        context: KitchenContext,
      ) => {
        const menuItem = await useCases.updateMenuItem.execute(context.viewer, input);
        context.loaders.menu.clear(menuItem.storeId);
        return { menuItem };
      },
      reviewOrder: async (
        _: unknown,
        { input }: { input: ReviewOrderInput },
        context: KitchenContext,
      ) => {
        const review = await useCases.reviewOrder.execute(context.viewer, input);
        // So that `review { store { rating } }` counts the review just written.
        context.loaders.store.clear(review.storeId);
        return { review };
      },
    },

    Store: {
      __resolveReference: ({ id }: { id: string }, context: KitchenContext) =>
        context.loaders.store.load(id),
      location: storeLocation,
      menu: (store: Store, _: unknown, context: KitchenContext) =>
        context.loaders.menu.load(store.id),
      rating: (store: Store) => ({
        average: store.ratingCount > 0 ? store.ratingTotal / store.ratingCount : null,
        count: store.ratingCount,
      }),
      popularItems: async (store: Store, { first }: { first: number }, context: KitchenContext) =>
        popularItems(await context.loaders.menu.load(store.id), first),
      tickets: (
        store: Store,
        args: { status?: TicketStatus[] | null } & ConnectionArgs,
        context: KitchenContext,
      ) => {
        requireStoreOwner(store, context, "Only the store's owner sees its orders.");
        return storeTickets(db, store, args);
      },
      reviews: (store: Store, args: ConnectionArgs, context: KitchenContext) => {
        requireStoreOwner(store, context, "Only the store's owner reads its reviews.");
        return storeReviews(db, store.id, args);
      },
    },

    MenuItem: {
      __resolveReference: ({ id }: { id: string }, context: KitchenContext) =>
        context.loaders.menuItem.load(id),
      store: (item: MenuItem, _: unknown, context: KitchenContext) =>
        context.loaders.store.load(item.storeId),
    },

    KitchenTicket: {
      __resolveReference: async ({ id }: { id: string }, context: KitchenContext) => {
        const ticket = await context.loaders.ticket.load(id);
        return ticket && canSeeOrder(context.viewer, ticket) ? ticket : null;
      },
      id: (ticket: TicketWithStore) => ticket.orderId,
      order: (ticket: TicketWithStore) => ({ id: ticket.orderId }),
      store: (ticket: TicketWithStore) => ticket.store,
      items: (ticket: TicketWithStore) => ticket.items as TicketItem[],
    },

    KitchenTicketItem: {
      menuItem: (item: TicketItem, _: unknown, context: KitchenContext) =>
        context.loaders.menuItem.load(item.menuItemId),
    },

    Review: {
      id: (review: ReviewNode) => review.orderId,
      store: (review: ReviewNode, _: unknown, context: KitchenContext) =>
        context.loaders.store.load(review.storeId),
    },

    Order: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      kitchenTicket: async ({ id }: { id: string }, _: unknown, context: KitchenContext) => {
        const ticket = await context.loaders.ticket.load(id);
        return ticket && canSeeOrder(context.viewer, ticket) ? ticket : null;
      },
      review: async ({ id }: { id: string }, _: unknown, context: KitchenContext) => {
        const review = await context.loaders.review.load(id);
        return review && canSeeOrder(context.viewer, review) ? review : null;
      },
    },
  };
}
