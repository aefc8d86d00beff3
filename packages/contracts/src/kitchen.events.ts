import { defineEvent } from '@baedal/event-bus';
import { z } from 'zod';
import { id, location, orderId, place, won } from './shared.js';

const storeMenu = z.object({
  storeId: id,
  ownerId: id,
  name: z.string().min(1),
  address: z.string().min(1),
  location,
  menuVersion: z.number().int().positive(),
  items: z.array(
    z.object({
      id,
      name: z.string().min(1),
      description: z.string(),
      priceWon: won,
      available: z.boolean(),
    }),
  ),
});

/**
 * A store and its whole menu, after any change. Snapshots, not deltas: a replica keeps the
 * one with the highest `menuVersion` and never needs the history.
 */
export const storeMenuPublished = defineEvent({
  producer: 'kitchen',
  type: 'kitchen.store-menu.published',
  version: 2,
  payload: storeMenu,
  correlate: (payload) => payload.storeId,
});

/**
 * Version 1 also carried the store's own delivery fee; delivery fees are now the platform's
 * (see the order subgraph's configuration). Consumers read it as version 2.
 */
export const storeMenuPublishedV1 = defineEvent({
  producer: 'kitchen',
  type: 'kitchen.store-menu.published',
  version: 1,
  payload: storeMenu.extend({ deliveryFeeWon: won }),
  correlate: (payload) => payload.storeId,
});

const ticketChange = z.object({ orderId, storeId: id });

/** The kitchen has a paid order: it now waits for the store's owner to accept it. */
export const orderReceived = defineEvent({
  producer: 'kitchen',
  type: 'kitchen.order.received',
  version: 1,
  payload: ticketChange,
  correlate: (payload) => payload.orderId,
});

export const orderAccepted = defineEvent({
  producer: 'kitchen',
  type: 'kitchen.order.accepted',
  version: 1,
  payload: ticketChange,
  correlate: (payload) => payload.orderId,
});

/** The store turned the order down; it is refunded. */
export const orderRejected = defineEvent({
  producer: 'kitchen',
  type: 'kitchen.order.rejected',
  version: 1,
  payload: ticketChange.extend({ reason: z.string().min(1) }),
  correlate: (payload) => payload.orderId,
});

/**
 * The ticket was canceled: at its customer's request before cooking started (the kitchen
 * decides that race), or because the order was canceled later (an accident on the way).
 */
export const ticketCanceled = defineEvent({
  producer: 'kitchen',
  type: 'kitchen.order.canceled',
  version: 1,
  payload: ticketChange.extend({ reason: z.string().nullable() }),
  correlate: (payload) => payload.orderId,
});

export const cookingStarted = defineEvent({
  producer: 'kitchen',
  type: 'kitchen.cooking.started',
  version: 1,
  payload: ticketChange,
  correlate: (payload) => payload.orderId,
});

/**
 * Cooking finished: the order waits for a rider. Carries everything dispatch needs, so the
 * delivery subgraph never depends on having seen the order being placed.
 */
export const orderReadyForPickup = defineEvent({
  producer: 'kitchen',
  type: 'kitchen.order.ready-for-pickup',
  version: 1,
  payload: z.object({
    orderId,
    storeId: id,
    /** Lets the delivery subgraph show the delivery to the store's owner. */
    storeOwnerId: id,
    customerId: id,
    pickup: place.extend({ name: z.string().min(1) }),
    dropoff: place,
    express: z.boolean(),
    deliveryFeeWon: won,
    expressFeeWon: won,
  }),
  correlate: (payload) => payload.orderId,
});
