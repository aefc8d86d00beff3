import type { Actor } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Db, Tx } from '../db.js';
import type { CardGateway } from './card.gateway.js';
import { type ChargeRequest, Payment, type PaymentState } from './payment.aggregate.js';
import { ConcurrentChargeError, type PaymentRepository } from './payment.repository.js';

export interface ChargeOrderInput extends ChargeRequest {
  /** The card, as a token from the payment provider's client SDK. */
  readonly cardToken: string;
}

export type ChargeOrder = (input: ChargeOrderInput, by: Actor) => Promise<PaymentState>;

/**
 * Charges an order's card, once per order: the order id is the idempotency key here, and
 * `<orderId>:<attempt>` the card gateway's (see `CardGateway`).
 *
 * - No payment yet: the card is charged and the payment recorded, captured or declined.
 * - A captured payment: answered again; nothing is charged or announced.
 * - A declined payment: the card given now is charged, as one more attempt.
 *
 * A capture and its `paymentCaptured` event commit together. Refuses with `CONFLICT` a
 * request whose customer or amount differ from the order's payment, and with
 * `INVALID_TRANSITION` a refunded payment. If the card gateway fails, nothing is recorded
 * and its error propagates.
 */
export function chargeOrder(dependencies: {
  readonly db: Db;
  readonly outbox: Outbox<Tx>;
  readonly payments: PaymentRepository;
  readonly cards: CardGateway;
}): ChargeOrder {
  const { db, outbox, payments, cards } = dependencies;
  return async (input, by) => {
    try {
      return await outbox.transaction(async (tx) => {
        // Waits for any other charge of this order, then sees what it recorded.
        await payments.lockOrder(tx, input.orderId);
        const existing = await payments.find(tx, input.orderId);
        if (existing) {
          existing.checkRepeat(input);
          if (existing.state.status === 'CAPTURED') return existing.state;
        }
        // Attempts count charges recorded, so a retry after a failed write repeats the key.
        const attempt = (existing?.state.attempts ?? 0) + 1;
        const card = await cards.charge({
          amountWon: input.amountWon,
          cardToken: input.cardToken,
          idempotencyKey: `${input.orderId}:${attempt}`,
        });
        const at = new Date();
        let payment: Payment;
        if (existing) {
          existing.chargeAgain(card, by, at);
          payment = existing;
        } else {
          payment = Payment.charge(input, card, by, at);
        }
        await payments.save(tx, payment);
        return payment.state;
      });
    } catch (error) {
      // The lock makes this a second line of defence: only a charge that did not take it
      // (another code path, a future deployment) can beat this one to the row. Whoever won
      // recorded the order's payment, so that is the answer, not an error.
      if (!(error instanceof ConcurrentChargeError)) throw error;
      const winner = await payments.find(db, input.orderId);
      if (!winner) throw error;
      winner.checkRepeat(input);
      return winner.state;
    }
  };
}
