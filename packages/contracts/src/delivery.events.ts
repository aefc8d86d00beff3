import { defineEvent } from '@baedal/event-bus';
import { z } from 'zod';
import { id, location, orderId, won } from './shared.js';

/** A delivery waits for a rider near `pickup`. */
export const deliveryOffered = defineEvent({
  producer: 'delivery',
  type: 'delivery.offered',
  version: 1,
  payload: z.object({
    deliveryId: z.uuid(),
    orderId,
    storeId: id,
    pickup: location,
    express: z.boolean(),
    feeWon: won,
  }),
  correlate: (payload) => payload.orderId,
});

const riderStep = z.object({ deliveryId: z.uuid(), orderId, riderId: id });

/** A rider claimed the delivery. */
export const riderAssigned = defineEvent({
  producer: 'delivery',
  type: 'delivery.rider-assigned',
  version: 1,
  payload: riderStep,
  correlate: (payload) => payload.orderId,
});

/** The rider has the food. */
export const orderPickedUp = defineEvent({
  producer: 'delivery',
  type: 'delivery.picked-up',
  version: 1,
  payload: riderStep,
  correlate: (payload) => payload.orderId,
});

/** The rider damaged the food on the way: the delivery is over and the order is canceled. */
export const accidentReported = defineEvent({
  producer: 'delivery',
  type: 'delivery.accident-reported',
  version: 1,
  payload: riderStep.extend({ description: z.string().min(1) }),
  correlate: (payload) => payload.orderId,
});
