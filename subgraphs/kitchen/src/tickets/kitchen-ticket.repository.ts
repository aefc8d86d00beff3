import { ConflictError, isUuid } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Db, Tx } from '../db.js';
import type { Store, KitchenTicket as TicketRow } from '../generated/prisma/client.js';
import { ticketStore } from '../stores/store.queries.js';
import { KitchenTicket, type TicketItem } from './kitchen-ticket.aggregate.js';

/** Loads and saves kitchen tickets; saving also appends the ticket's new events to the outbox. */
export class KitchenTicketRepository {
  constructor(private readonly outbox: Outbox<Tx>) {}

  /** The ticket of this order; null for an unknown id, including one that is not a UUID. */
  async find(db: Db | Tx, orderId: string): Promise<KitchenTicket | null> {
    if (!isUuid(orderId)) return null;
    const row = await db.kitchenTicket.findUnique({ where: { orderId }, include: { store: true } });
    return row && toAggregate(row);
  }

  /**
   * Inserts a new ticket or updates a loaded one if nobody changed it since it was loaded
   * (otherwise `CONFLICT`: of two racing changes exactly one wins), then appends its events.
   */
  async save(tx: Tx, ticket: KitchenTicket): Promise<void> {
    const { store, version, items, dropoff, ...state } = ticket.state;
    const columns = {
      status: state.status,
      acceptedAt: state.acceptedAt,
      cookingStartedAt: state.cookingStartedAt,
      readyAt: state.readyAt,
      closedAt: state.closedAt,
      version: version + 1,
    };
    if (version === 0) {
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
    } else {
      const { count } = await tx.kitchenTicket.updateMany({
        where: { orderId: state.orderId, version },
        data: columns,
      });
      if (count === 0) throw new ConflictError('The order changed meanwhile; load it again.');
    }
    await this.outbox.append(tx, ticket.pullEvents());
  }
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
  });
}
