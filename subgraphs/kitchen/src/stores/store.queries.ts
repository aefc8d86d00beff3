import {
  assertCoordinates,
  BadUserInputError,
  boundingBox,
  type Coordinates,
  requireIntInRange,
} from '@baedal/domain';
import {
  afterTimeCursor,
  type ConnectionArgs,
  decodeTimeCursor,
  nearbyPage,
  pageSize,
  timeCursor,
  toConnection,
} from '@baedal/service-kit';
import type { Db } from '../db.js';
import type { MenuItem, Store, TicketStatus } from '../generated/prisma/client.js';
import type { TicketWithStore } from '../loaders.js';
import type { TicketStore } from '../tickets/kitchen-ticket.aggregate.js';

const maxRadiusKm = 20;

/**
 * Stores within `radiusKm` of `near`, nearest first, as a page of a connection. A bounding
 * box narrows the rows on the (lat, lng) index; `nearbyPage` filters them by exact distance,
 * sorts and pages them.
 */
export async function storesNear(
  db: Db,
  near: Coordinates,
  radiusKm: number,
  args: ConnectionArgs,
) {
  assertCoordinates(near, 'near');
  if (!(radiusKm > 0 && radiusKm <= maxRadiusKm)) {
    throw new BadUserInputError('radiusKm', `must be more than 0 and at most ${maxRadiusKm}.`);
  }
  const box = boundingBox(near, radiusKm);
  const candidates = await db.store.findMany({
    where: { lat: { gte: box.minLat, lte: box.maxLat }, lng: { gte: box.minLng, lte: box.maxLng } },
  });
  return nearbyPage(
    candidates,
    { center: near, radiusKm, locationOf: storeLocation, idOf: (store) => store.id },
    args,
  );
}

export function storeLocation(store: Store): Coordinates {
  return { lat: store.lat, lng: store.lng };
}

/** The store as a kitchen ticket keeps it. */
export function ticketStore(store: Store): TicketStore {
  return {
    id: store.id,
    ownerId: store.ownerId,
    name: store.name,
    address: store.address,
    location: storeLocation(store),
  };
}

/** A page of a store's kitchen tickets, newest first, of the given statuses (all if none). */
export async function storeTickets(
  db: Db,
  store: Store,
  args: { readonly status?: readonly TicketStatus[] | null } & ConnectionArgs,
) {
  const size = pageSize(args);
  const after = args.after ? decodeTimeCursor(args.after) : null;
  const rows = await db.kitchenTicket.findMany({
    where: {
      storeId: store.id,
      ...(args.status?.length && { status: { in: [...args.status] } }),
      ...(after && afterTimeCursor(after, 'placedAt', 'orderId')),
    },
    orderBy: [{ placedAt: 'desc' }, { orderId: 'desc' }],
    take: size + 1,
  });
  // The tickets of one store: each one's store is the one given, no need to join it again.
  const tickets: TicketWithStore[] = rows.map((row) => ({ ...row, store }));
  return toConnection(tickets, size, (ticket) => timeCursor(ticket.placedAt, ticket.orderId));
}

/** The store's most cooked items, most first (menu order breaks ties); at most 50. */
export function popularItems(menu: readonly MenuItem[], first: number | null): MenuItem[] {
  // An explicit null asks for the default, as for every list's `first`.
  const count = requireIntInRange(first ?? 3, 'first', 1, 50);
  return menu
    .filter((item) => item.cookedCount > 0)
    .sort((a, b) => b.cookedCount - a.cookedCount || a.position - b.position)
    .slice(0, count);
}
