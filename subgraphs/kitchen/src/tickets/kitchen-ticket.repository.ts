import { isUuid, StaleVersionError } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import { requireUpdated } from '@baedal/service-kit';
import type { Db, Tx } from '../db.js';
import { Prisma, type Store, type KitchenTicket as TicketRow } from '../generated/prisma/client.js';
import { ticketStore } from '../stores/store.queries.js';
import { KitchenTicket, type TicketItem } from './kitchen-ticket.aggregate.js';

const entity = 'kitchen ticket';

/** Loads and saves kitchen tickets; saving also appends the ticket's new events to the outbox. */
export class KitchenTicketRepository {
  constructor(private readonly outbox: Outbox<Tx>) {}

  /**
   * Holds, until `tx` ends, the lock of an order whose ticket may not exist yet. The order's
   * arrival takes it before creating the ticket, and so does a cancel or `order.canceled`
   * that finds no ticket, before recording an early cancellation; without it each could miss
   * the other, and a cancel answered as won would leave a pending ticket. A
   * transaction-scoped advisory lock, because there is no row to lock yet.
   */
  async lockOrder(tx: Tx, orderId: string): Promise<void> {
    // $executeRaw, not $queryRaw: Prisma cannot read the `void` the function returns.
    await tx.$executeRaw`
      SELECT pg_advisory_xact_lock(hashtext('baedal.kitchen.ticket'), hashtext(${orderId}))`;
  }

  /** The ticket of this order; null for an unknown id, including one that is not a UUID. */
  async find(db: Db | Tx, orderId: string): Promise<KitchenTicket | null> {
    if (!isUuid(orderId)) return null;
    const row = await db.kitchenTicket.findUnique({ where: { orderId }, include: { store: true } });
    return row && toAggregate(row);
  }

  /**
   * Inserts a new ticket (version 1), or updates a loaded one if nobody changed it since it
   * was loaded (its version is still the loaded one; it becomes one more), then appends the
   * ticket's events. A ticket saved by someone else first is a `StaleVersionError`, on which
   * `transact` runs the command again on the fresh state: of a cancel and "cooking started"
   * racing, exactly one wins, and the other is refused by the ticket it finds.
   */
  async save(tx: Tx, ticket: KitchenTicket): Promise<void> {
    const { store, version, items, dropoff, ...state } = ticket.state;
    const columns = {
      status: state.status,
      acceptedAt: state.acceptedAt,
      cookingStartedAt: state.cookingStartedAt,
      readyAt: state.readyAt,
      closedAt: state.closedAt,
      reason: state.reason,
      version: version + 1,
    };
    if (version === 0) {
      try {
        await tx.kitchenTicket.create({
          data: {
            ...columns,
            orderId: state.orderId,
            storeId: store.id,
            customerId: state.customerId,
            items,
            express: state.express,
            dropoffAddress: dropoff.address,
            dropoffLat: dropoff.location.lat,
            dropoffLng: dropoff.location.lng,
            deliveryFeeWon: state.deliveryFeeWon,
            expressFeeWon: state.expressFeeWon,
            placedAt: state.placedAt,
          },
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new StaleVersionError(entity, state.orderId);
        throw error;
      }
    } else {
      const { count } = await tx.kitchenTicket.updateMany({
        where: { orderId: state.orderId, version },
        data: columns,
      });
      requireUpdated(count, entity, state.orderId);
    }
    await this.outbox.append(tx, ticket.pullEvents());
  }
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

function toAggregate(row: TicketRow & { store: Store }): KitchenTicket {
  return new KitchenTicket({
    orderId: row.orderId,
    store: ticketStore(row.store),
    customerId: row.customerId,
    status: row.status,
    items: row.items as TicketItem[],
    express: row.express,
    dropoff: {
      address: row.dropoffAddress,
      location: { lat: row.dropoffLat, lng: row.dropoffLng },
    },
    deliveryFeeWon: row.deliveryFeeWon,
    expressFeeWon: row.expressFeeWon,
    version: row.version,
    placedAt: row.placedAt,
    acceptedAt: row.acceptedAt,
    cookingStartedAt: row.cookingStartedAt,
    readyAt: row.readyAt,
    closedAt: row.closedAt,
    reason: row.reason,
  });
}
