/** One charge of a card, as sent to the card provider. */
export interface CardChargeRequest {
  /**
   * The charge attempt's key. The provider answers a repeated key with the first answer
   * and never charges twice, so asking again about a charge whose answer was lost is safe.
   */
  readonly idempotencyKey: string;
  readonly amountWon: number;
  /** The card, as a token from the provider's client SDK. */
  readonly cardToken: string;
}

/** What the card's issuer answered to a charge. */
export type CardChargeAnswer =
  | { readonly approved: true }
  | { readonly approved: false; readonly reason: string };

/** Gives back the money of an approved charge. */
export interface CardRefundRequest {
  /** `refund:<paymentId>`: one refund per payment, however often it is asked for. */
  readonly idempotencyKey: string;
  /** The idempotency key of the approved charge to give back. */
  readonly chargeKey: string;
  readonly amountWon: number;
}

/**
 * The port to whoever takes money from cards and gives it back. Every call is idempotent by
 * its key. A call resolves only with a known outcome; it rejects when the outcome is unknown
 * (the provider could not be reached, failed, or did not answer before `signal` aborted), in
 * which case the money may or may not have moved, and the same call must be made again later
 * to find out.
 *
 * The provider is never called inside a database transaction: a transaction would hold its
 * locks and connection for as long as the provider takes, and a crash after the provider
 * answered would roll back the record of money that moved.
 */
export interface CardProvider {
  charge(request: CardChargeRequest, signal: AbortSignal): Promise<CardChargeAnswer>;
  refund(request: CardRefundRequest, signal: AbortSignal): Promise<void>;
}

/**
 * The signal of one call to the provider: it aborts after `timeoutMs`
 * (`CARD_PROVIDER_TIMEOUT_MS`), or sooner when `signal` does (at shutdown).
 */
export function providerCallSignal(timeoutMs: number, signal?: AbortSignal): AbortSignal {
  return AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]);
}

/**
 * The card's last four digits, shown on the payment. The simulated provider's tokens end with
 * them (`tok_visa_4242`); a shorter token is left-padded with zeros.
 */
export const cardLast4Of = (cardToken: string): string => cardToken.slice(-4).padStart(4, '0');
