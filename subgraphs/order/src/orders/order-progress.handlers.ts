import {
  cookingStarted,
  orderAccepted,
  orderPickedUp,
  orderReadyForPickup,
  paymentCaptured,
  riderAssigned,
} from '@baedal/contracts';
import { type EventEnvelope, on, type Subscription } from '@baedal/event-bus';
import type { Tx } from '../db.js';
import type { Order, OrderStatus } from './order.aggregate.js';
import type { OrderRepository } from './order.repository.js';

/**
 * The steps other subgraphs decide, applied to the customer's view of the order: the
 * kitchen's accept/cook/ready, the delivery's rider assignment and pick-up, and the
 * payment's capture (which completes an order whose synchronous charge answer was lost).
 */
export function orderProgressHandlers(orders: OrderRepository): Subscription<Tx>[] {
  const update =
    <Payload extends { orderId: string }>(
      change: (order: Order, event: EventEnvelope<Payload>) => void,
    ) =>
    async (event: EventEnvelope<Payload>, tx: Tx) => {
      const order = await orders.find(tx, event.payload.orderId);
      // Retried, then dead-lettered: an event about an order this subgraph never saw is a bug.
      if (!order)
        throw new Error(`Order ${event.payload.orderId} is unknown to the order subgraph.`);
      change(order, event);
      // A step already recorded (the synchronous payment answer beat its event) changes nothing.
      if (order.newEntries.length > 0) await orders.save(tx, order);
    };
  const advanceTo = (status: OrderStatus) =>
    update((order, event) => order.advance(status, event.actor, new Date(event.occurredAt)));

  return [
    on(orderAccepted, advanceTo('ACCEPTED')),
    on(cookingStarted, advanceTo('COOKING')),
    on(orderReadyForPickup, advanceTo('READY_FOR_PICKUP')),
    on(
      riderAssigned,
      update((order, event) =>
        order.advance('RIDER_ASSIGNED', event.actor, new Date(event.occurredAt), {
          riderId: event.payload.riderId,
        }),
      ),
    ),
    on(orderPickedUp, advanceTo('PICKED_UP')),
    on(
      paymentCaptured,
      update((order, event) => order.markPaid(event.actor, new Date(event.occurredAt))),
    ),
  ];
}
