import {
  accidentReported,
  cookingStarted,
  orderAccepted,
  orderPickedUp,
  orderReadyForPickup,
  orderRejected,
  paymentCaptured,
  riderAssigned,
  ticketCanceled,
} from '@baedal/contracts';
import { type EventEnvelope, on, type Subscription } from '@baedal/event-bus';
import type { Tx } from '../db.js';
import type { Order, OrderStatus } from './order.aggregate.js';
import type { OrderRepository } from './order.repository.js';

/**
 * The steps other subgraphs decide, applied to the customer's view of the order: the
 * kitchen's accept, reject, cancel, cook and ready; the delivery's rider assignment, pick-up
 * and accident; and the payment's capture (which completes an order whose synchronous charge
 * answer was lost). Each is a no-op when already applied, so any arrival order and any
 * redelivery end in the same state.
 */
export function orderProgressHandlers(orders: OrderRepository): Subscription<Tx>[] {
  const update =
    <Payload extends { orderId: string }>(
      change: (order: Order, event: EventEnvelope<Payload>, at: Date) => void,
    ) =>
    async (event: EventEnvelope<Payload>, tx: Tx) => {
      const order = await orders.find(tx, event.payload.orderId);
      // Retried, then dead-lettered: an event about an order this subgraph never saw is a bug.
      if (!order)
        throw new Error(`Order ${event.payload.orderId} is unknown to the order subgraph.`);
      change(order, event, new Date(event.occurredAt));
      if (order.newEntries.length > 0) await orders.save(tx, order);
    };
  const advanceTo = (status: OrderStatus) =>
    update((order, event, at) => order.advance(status, event.actor, at));

  return [
    on(orderAccepted, advanceTo('ACCEPTED')),
    on(
      orderRejected,
      update((order, event, at) => order.reject(event.actor, event.payload.reason, at)),
    ),
    on(
      ticketCanceled,
      update((order, event, at) => order.cancel(event.actor, event.payload.reason, at)),
    ),
    on(cookingStarted, advanceTo('COOKING')),
    on(orderReadyForPickup, advanceTo('READY_FOR_PICKUP')),
    on(
      riderAssigned,
      update((order, event, at) =>
        order.advance('RIDER_ASSIGNED', event.actor, at, { riderId: event.payload.riderId }),
      ),
    ),
    on(orderPickedUp, advanceTo('PICKED_UP')),
    on(
      accidentReported,
      update((order, event, at) => order.cancel(event.actor, event.payload.description, at)),
    ),
    on(
      paymentCaptured,
      update((order, event, at) => order.markPaid(event.actor, at)),
    ),
  ];
}
