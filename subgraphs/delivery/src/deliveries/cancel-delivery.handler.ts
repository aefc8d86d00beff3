import type { orderCanceled } from '@baedal/contracts';
import type { EventEnvelope, PayloadOf } from '@baedal/event-bus';
import type { Tx } from '../db.js';
import type { CanceledOrderRepository } from './canceled-order.repository.js';
import type { DeliveryRepository } from './delivery.repository.js';

/**
 * The order ended without being delivered (rejected or canceled): its delivery, if still
 * open, is canceled with the order's reason. A delivery already closed (delivered, or
 * canceled by its rider's accident report, which is what canceled the order) stays as it
 * is. An order without a delivery yet is remembered, so that a delivery offered for it later
 * is created canceled. Repeating the event changes nothing.
 */
export function cancelDelivery(
  deliveries: DeliveryRepository,
  canceledOrders: CanceledOrderRepository,
) {
  return async (event: EventEnvelope<PayloadOf<typeof orderCanceled>>, tx: Tx): Promise<void> => {
    const { orderId, reason } = event.payload;
    const cancellation = { reason, at: new Date(event.occurredAt) };
    await deliveries.lockOrder(tx, orderId);
    const delivery = await deliveries.findByOrder(tx, orderId);
    if (!delivery) {
      await canceledOrders.remember(tx, orderId, cancellation);
      return;
    }
    if (!delivery.isOpen) return;
    delivery.cancel(cancellation);
    await deliveries.save(tx, delivery);
  };
}
