import type { orderReadyForPickup } from '@baedal/contracts';
import type { EventEnvelope, PayloadOf } from '@baedal/event-bus';
import type { Tx } from '../db.js';
import type { CanceledOrderRepository } from './canceled-order.repository.js';
import { Delivery } from './delivery.aggregate.js';
import type { DeliveryRepository } from './delivery.repository.js';

/**
 * The food of an order is ready: riders near the store are offered its delivery. An order
 * gets one delivery however often the kitchen announces it. If the order was already
 * canceled (its `order.canceled` came first), the delivery is created canceled and offered
 * to nobody.
 */
export function offerDelivery(
  deliveries: DeliveryRepository,
  canceledOrders: CanceledOrderRepository,
) {
  return async (
    event: EventEnvelope<PayloadOf<typeof orderReadyForPickup>>,
    tx: Tx,
  ): Promise<void> => {
    const order = event.payload;
    await deliveries.lockOrder(tx, order.orderId);
    if (await deliveries.findByOrder(tx, order.orderId)) return;
    const at = new Date(event.occurredAt);
    const cancellation = await canceledOrders.find(tx, order.orderId);
    await deliveries.save(
      tx,
      cancellation
        ? Delivery.ofCanceledOrder(order, cancellation, at)
        : Delivery.offer(order, at, event.id),
    );
  };
}
