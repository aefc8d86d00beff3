import type { orderReadyForPickup } from '@baedal/contracts';
import type { EventEnvelope, PayloadOf } from '@baedal/event-bus';
import type { Tx } from '../db.js';
import { Delivery } from './delivery.aggregate.js';
import type { DeliveryRepository } from './delivery.repository.js';

/**
 * The food of an order is ready: riders near the store are offered its delivery. An order
 * gets one delivery however often the kitchen announces it.
 */
export function offerDelivery(deliveries: DeliveryRepository) {
  return async (
    event: EventEnvelope<PayloadOf<typeof orderReadyForPickup>>,
    tx: Tx,
  ): Promise<void> => {
    if (await deliveries.findByOrder(tx, event.payload.orderId)) return;
    await deliveries.save(tx, Delivery.offer(event.payload, new Date(event.occurredAt), event.id));
  };
}
