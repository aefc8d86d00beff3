import { defineEvent } from '@baedal/event-bus';
import { z } from 'zod';
import { id, orderId, place, won } from './shared.js';

/** An order was paid for and now waits for its store. Unpaid orders never produce this. */
export const orderPlaced = defineEvent({
  producer: 'order',
  type: 'order.placed',
  version: 1,
  payload: z.object({
    orderId,
    customerId: id,
    storeId: id,
    items: z
      .array(
        z.object({
          menuItemId: id,
          name: z.string().min(1),
          quantity: z.number().int().positive(),
          unitPriceWon: won,
        }),
      )
      .min(1),
    express: z.boolean(),
    subtotalWon: won,
    deliveryFeeWon: won,
    expressFeeWon: won,
    totalWon: won,
    deliveryAddress: place,
  }),
  correlate: (payload) => payload.orderId,
});

const orderStatuses = [
  'PAYMENT_PENDING',
  'PLACED',
  'ACCEPTED',
  'COOKING',
  'READY_FOR_PICKUP',
  'RIDER_ASSIGNED',
  'PICKED_UP',
  'DELIVERED',
  'REJECTED',
  'CANCELED',
] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/**
 * An entry was added to an order's timeline (`seq` counts from 1). The live layer of the
 * router pushes these to the order's customer and the store's owner.
 */
export const orderStatusChanged = defineEvent({
  producer: 'order',
  type: 'order.status-changed',
  version: 1,
  payload: z.object({
    orderId,
    customerId: id,
    storeId: id,
    status: z.enum(orderStatuses),
    seq: z.number().int().positive(),
  }),
  correlate: (payload) => payload.orderId,
});

/** The customer confirmed receipt; the order is complete. */
export const orderDelivered = defineEvent({
  producer: 'order',
  type: 'order.delivered',
  version: 1,
  payload: z.object({ orderId, customerId: id }),
  correlate: (payload) => payload.orderId,
});

/**
 * The order ended without being delivered: `REJECTED` by its store, or `CANCELED` (by its
 * customer before cooking, by its rider's accident report, or unpaid past the deadline).
 * Whatever was paid is refunded; a ticket or delivery still open is closed.
 */
export const orderCanceled = defineEvent({
  producer: 'order',
  type: 'order.canceled',
  version: 1,
  payload: z.object({
    orderId,
    customerId: id,
    storeId: id,
    status: z.enum(['REJECTED', 'CANCELED']),
    reason: z.string().nullable(),
  }),
  correlate: (payload) => payload.orderId,
});
