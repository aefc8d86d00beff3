import { type Coordinates, ForbiddenError } from '@baedal/domain';
import {
  afterTimeCursor,
  type ConnectionArgs,
  dateTimeScalar,
  decodeTimeCursor,
  pageSize,
  type Resolvers,
  requireOwner,
  requireRole,
  timeCursor,
  toConnection,
} from '@baedal/service-kit';
import type { KitchenContext } from './context.js';
import type { Db } from './db.js';
import type { MenuItem, Store, TicketStatus } from './generated/prisma/client.js';
import type { TicketWithStore } from './loaders.js';
import { storeLocation, storesNear } from './stores/store.queries.js';
import type { UpdateMenuItemInput } from './stores/update-menu-item.command.js';
import type { KitchenTicketState, TicketItem } from './tickets/kitchen-ticket.aggregate.js';
import type { KitchenTicketCommands } from './tickets/kitchen-ticket.commands.js';
import { canSeeTicket } from './tickets/ticket-access.js';

export interface KitchenUseCases {
  readonly db: Db;
  readonly tickets: KitchenTicketCommands;
  readonly updateMenuItem: (
    viewer: KitchenContext['viewer'],
    input: UpdateMenuItemInput,
  ) => Promise<MenuItem>;
}

export function createResolvers({
  db,
  tickets,
  updateMenuItem,
}: KitchenUseCases): Resolvers<KitchenContext> {
  /** Mutations answer with the ticket as a reader would load it. */
  const ticketPayload = async (state: KitchenTicketState, context: KitchenContext) => ({
    ticket: await context.loaders.ticket.clear(state.orderId).load(state.orderId),
  });

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
        if (ticket && !canSeeTicket(context.viewer, ticket)) {
          throw new ForbiddenError("This order is not yours or your store's.");
        }
        return ticket;
      },
    },

    Mutation: {
      acceptOrder: async (
        _: unknown,
        { input }: { input: { orderId: string } },
        context: KitchenContext,
      ) => ticketPayload(await tickets.accept(context.viewer, input.orderId), context),
      startCooking: async (
        _: unknown,
        { input }: { input: { orderId: string } },
        context: KitchenContext,
      ) => ticketPayload(await tickets.startCooking(context.viewer, input.orderId), context),
      finishCooking: async (
        _: unknown,
        { input }: { input: { orderId: string } },
        context: KitchenContext,
      ) => ticketPayload(await tickets.finishCooking(context.viewer, input.orderId), context),
      updateMenuItem: async (
        _: unknown,
        { input }: { input: UpdateMenuItemInput },
        context: KitchenContext,
      ) => {
        const menuItem = await updateMenuItem(context.viewer, input);
        context.loaders.menu.clear(menuItem.storeId);
        return { menuItem };
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
        (await context.loaders.menu.load(store.id))
          .filter((item) => item.cookedCount > 0)
          .sort((a, b) => b.cookedCount - a.cookedCount || a.position - b.position)
          .slice(0, Math.max(0, Math.min(first, 50))),
      tickets: async (
        store: Store,
        args: { status?: TicketStatus[] | null } & ConnectionArgs,
        context: KitchenContext,
      ) => {
        const viewer = requireRole(context.viewer, 'STORE_OWNER');
        requireOwner(viewer, store.ownerId, "Only the store's owner sees its orders.");
        const size = pageSize(args);
        const after = args.after ? decodeTimeCursor(args.after) : null;
        const rows = await db.kitchenTicket.findMany({
          where: {
            storeId: store.id,
            ...(args.status?.length && { status: { in: args.status } }),
            ...(after && afterTimeCursor(after, 'placedAt', 'orderId')),
          },
          orderBy: [{ placedAt: 'desc' }, { orderId: 'desc' }],
          take: size + 1,
        });
        // The tickets of one store: each one's store is the parent, no need to join it again.
        const tickets: TicketWithStore[] = rows.map((row) => ({ ...row, store }));
        return toConnection(tickets, size, (ticket) => timeCursor(ticket.placedAt, ticket.orderId));
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
        return ticket && canSeeTicket(context.viewer, ticket) ? ticket : null;
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

    Order: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      kitchenTicket: async ({ id }: { id: string }, _: unknown, context: KitchenContext) => {
        const ticket = await context.loaders.ticket.load(id);
        return ticket && canSeeTicket(context.viewer, ticket) ? ticket : null;
      },
    },
  };
}
