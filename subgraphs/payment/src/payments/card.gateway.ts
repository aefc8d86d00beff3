/** What the card's issuer answered to one charge. */
export type CardCharge =
  | { readonly approved: true; readonly cardLast4: string }
  | { readonly approved: false; readonly reason: string; readonly cardLast4: string };

/** One charge of a card. */
export interface CardChargeRequest {
  readonly amountWon: number;
  readonly cardToken: string;
  /**
   * `<orderId>:<attempt>`: the same for a repeat of one attempt to charge an order, different
   * for the next attempt (after a decline, with another card).
   */
  readonly idempotencyKey: string;
}

/**
 * The port to whoever takes money from cards. `charge` resolves with the issuer's answer,
 * approved or declined; it rejects only when the answer is unknown (the provider could not be
 * reached), in which case nothing may be recorded as paid.
 *
 * An adapter for a real provider must send `idempotencyKey` as the provider's idempotency
 * key, so that the provider answers a repeated key with the first charge's answer instead of
 * charging again. The card is charged before the payment is recorded, so when recording
 * fails (the database is down, the process dies) the retry charges with the same key, and
 * only the key keeps the customer from paying twice.
 */
export interface CardGateway {
  charge(request: CardChargeRequest): Promise<CardCharge>;
}

/** The token a client uses to see a declined card. */
const declinedCardToken = 'tok_declined';

const declinedCardReason = 'The card was declined by its issuer.';

/**
 * A stand-in for a payment provider: this demo has no real one, so no money ever moves.
 * `tok_declined` is declined; every other token is approved. The last four characters of the
 * token (left-padded with '0') play the card's last four digits. It never rejects, and it
 * ignores the idempotency key: since nothing is charged, a repeat costs nothing.
 */
export class SimulatedCardGateway implements CardGateway {
  async charge(request: CardChargeRequest): Promise<CardCharge> {
    const cardLast4 = request.cardToken.slice(-4).padStart(4, '0');
    return request.cardToken === declinedCardToken
      ? { approved: false, reason: declinedCardReason, cardLast4 }
      : { approved: true, cardLast4 };
  }
}
