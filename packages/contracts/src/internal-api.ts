import { maxIdLength, maxOrderTotalWon } from '@baedal/domain';
import { z } from 'zod';
import { id, orderId, won } from './shared.js';

/*
 * The two places where a subgraph asks another directly instead of by events (see the
 * product specification): the order subgraph charges an order synchronously, and asks the
 * kitchen whether a cancel wins. Each request and answer is declared once, here; both sides
 * validate what they receive against it.
 *
 * Refusals are answered as `{ error: { code, message, ...details } }` with the HTTP status of
 * the code (see `jsonRoute` and `InternalClient` in the service kit).
 */

/** `POST` here charges an order (payment subgraph). */
export const chargePath = '/internal/charges';

export const chargeRequest = z.object({
  orderId,
  customerId: id,
  amountWon: z.number().int().positive().max(maxOrderTotalWon),
  deliveryFeeWon: won,
  expressFeeWon: won,
  cardToken: z.string().min(1).max(200),
  /**
   * Names one attempt to charge the order: repeating a request with the same key never
   * charges twice (the card provider gets the key as its idempotency key). The order subgraph
   * uses one key for `placeOrder` (so a retried `placeOrder` repeats it) and a new one for
   * every `payOrder`.
   */
  attemptKey: z.string().min(1).max(maxIdLength),
});
export type ChargeRequest = z.infer<typeof chargeRequest>;

/**
 * The payment's state after the request. `PENDING`: the card provider did not answer in time;
 * the outcome is settled later and announced by `payment.captured` if the charge went through.
 */
export const chargeAnswer = z.object({
  paymentId: z.uuid(),
  status: z.enum(['CAPTURED', 'DECLINED', 'PENDING']),
  declineReason: z.string().nullable(),
});
export type ChargeAnswer = z.infer<typeof chargeAnswer>;

/** `POST` here asks the kitchen to cancel an order's ticket (kitchen subgraph). */
export const ticketCancellationsPath = '/internal/ticket-cancellations';

export const ticketCancellationRequest = z.object({
  orderId,
  storeId: id,
  customerId: id,
  reason: z.string().min(1).max(500).nullable(),
});
export type TicketCancellationRequest = z.infer<typeof ticketCancellationRequest>;

/**
 * The cancel won: the ticket is canceled (or will be created canceled, if the kitchen has not
 * received the order yet). A cancel that loses is answered 409 `INVALID_TRANSITION` with the
 * ticket's `currentStatus`.
 */
export const ticketCancellationAnswer = z.object({ status: z.literal('CANCELED') });
export type TicketCancellationAnswer = z.infer<typeof ticketCancellationAnswer>;
