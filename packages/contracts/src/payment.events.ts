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
