import { defineEvent } from '@baedal/event-bus';
import { z } from 'zod';
import { id, orderId, won } from './shared.js';

/** Money was taken for an order. */
export const paymentCaptured = defineEvent({
  producer: 'payment',
  type: 'payment.captured',
  version: 1,
  payload: z.object({ paymentId: z.uuid(), orderId, customerId: id, amountWon: won }),
  correlate: (payload) => payload.orderId,
});

/** The money taken for a canceled order went back to the customer, and its points with it. */
export const paymentRefunded = defineEvent({
  producer: 'payment',
  type: 'payment.refunded',
  version: 1,
  payload: z.object({
    paymentId: z.uuid(),
    orderId,
    customerId: id,
    amountWon: won,
    pointsReversed: z.number().int().nonnegative(),
  }),
  correlate: (payload) => payload.orderId,
});
