import type { orderDelivered } from '@baedal/contracts';
import type { EventEnvelope, PayloadOf } from '@baedal/event-bus';
import type { Tx } from '../db.js';
import type { DeliveryRepository } from './delivery.repository.js';

/**
 * The customer confirmed receipt: the delivery is over (also when its rider's accident report
 * lost that race, see `Delivery.complete`); a delivery already delivered stays so. A delivery
 * that is missing or was never picked up means the subgraphs disagree; the handler then
 * fails, so the consumer retries the event and finally parks it among the dead letters for
 * someone to look at.
 */
export function completeDelivery(deliveries: DeliveryRepository) {
  return async (event: EventEnvelope<PayloadOf<typeof orderDelivered>>, tx: Tx): Promise<void> => {
    const delivery = await deliveries.findByOrder(tx, event.payload.orderId);
    if (!delivery) throw new Error(`No delivery for order ${event.payload.orderId}.`);
    if (delivery.state.status === 'DELIVERED') return;
    delivery.complete(new Date(event.occurredAt));
    await deliveries.save(tx, delivery);
  };
}
