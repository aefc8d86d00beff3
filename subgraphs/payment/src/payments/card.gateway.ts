/** What the card's issuer answered to one charge. */
export type CardCharge =
  | { readonly approved: true; readonly cardLast4: string }
  | { readonly approved: false; readonly reason: string; readonly cardLast4: string };

/**
 * The port to whoever takes money from cards. `charge` resolves with the issuer's answer,
 * approved or declined; it rejects only when the answer is unknown (the provider could not be
 * reached), in which case nothing may be recorded as paid.
 */
export interface CardGateway {
  charge(request: { amountWon: number; cardToken: string }): Promise<CardCharge>;
}

/** The token a client uses to see a declined card. */
export const declinedCardToken = 'tok_declined';

export const declinedCardReason = 'The card was declined by its issuer.';

/**
 * A stand-in for a payment provider: this demo has no real one, so no money ever moves.
 * `tok_declined` is declined; every other token is approved. The last four characters of the
 * token (left-padded with '0') play the card's last four digits. It never rejects.
 */
export class SimulatedCardGateway implements CardGateway {
  async charge(request: { amountWon: number; cardToken: string }): Promise<CardCharge> {
    const cardLast4 = request.cardToken.slice(-4).padStart(4, '0');
    return request.cardToken === declinedCardToken
      ? { approved: false, reason: declinedCardReason, cardLast4 }
      : { approved: true, cardLast4 };
  }
}
