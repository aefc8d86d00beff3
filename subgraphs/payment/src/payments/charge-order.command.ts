import type { ChargeAnswer, ChargeRequest } from '@baedal/contracts';
import { type Actor, BadUserInputError, ForbiddenError } from '@baedal/domain';
import type { Outbox } from '@baedal/event-bus';
import type { Viewer } from '@baedal/identity';
import { transact, type UseCase } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import { type ChargeStep, Payment } from './payment.aggregate.js';
import type { PaymentRepository } from './payment.repository.js';
import type { SettleChargeAttempt } from './settle-charge-attempt.command.js';

/**
 * Charges an order, for the order subgraph (`POST /internal/charges`). The card provider is
 * never called inside a transaction:
 *
 * 1. One short transaction decides (see `Payment.charge`): refuse, answer from what is
 *    recorded, settle an earlier attempt of unknown outcome first, or record a new PENDING
 *    attempt. Concurrent requests for one order are serialised by the payment's version: the
 *    loser runs again on the winner's state.
 * 2. The provider is asked about the attempt, with the attempt's key as idempotency key, and
 *    its answer recorded (`SettleChargeAttempt`).
 *
 * Answers `CAPTURED`, `DECLINED` with the reason, or `PENDING` when the provider's answer is
 * unknown (the settle job finds out later, and a capture is announced by `payment.captured`).
 * Refuses with `FORBIDDEN` a customer charging another customer's order, `BAD_USER_INPUT`
 * fees larger than the amount, `CONFLICT` another customer or amount than the order's
 * payment, and `INVALID_TRANSITION` an order that was closed (canceled or rejected).
 */
export class ChargeOrder implements UseCase<ChargeRequest, ChargeAnswer> {
  constructor(
    private readonly outbox: Outbox<Tx>,
    private readonly payments: PaymentRepository,
    private readonly settle: SettleChargeAttempt,
  ) {}

  async execute(viewer: Viewer | null, request: ChargeRequest): Promise<ChargeAnswer> {
    if (viewer?.role === 'CUSTOMER' && viewer.id !== request.customerId) {
      throw new ForbiddenError("A customer may not pay another customer's order.");
    }
    if (request.deliveryFeeWon > request.amountWon) {
      throw new BadUserInputError('deliveryFeeWon', 'is more than the amount.');
    }
    if (request.deliveryFeeWon + request.expressFeeWon > request.amountWon) {
      throw new BadUserInputError(
        'expressFeeWon',
        'with the delivery fee, is more than the amount.',
      );
    }
    // The order service calls on the customer's behalf: the customer pays.
    const by: Actor = viewer ?? { role: 'CUSTOMER', id: request.customerId };

    // Each round answers, or settles one attempt: then the next round answers from what was
    // recorded or, if the attempt settled was an earlier one and declined, charges the card
    // given now. Attempts only ever settle once, so this ends.
    for (;;) {
      const step = await transact(this.outbox, (tx) => this.#decide(tx, request));
      if (step.kind === 'answer') return step.answer;
      const payment = await this.settle.execute(request.orderId, step.attempt, by);
      if (!payment) return { paymentId: step.paymentId, status: 'PENDING', declineReason: null };
    }
  }

  async #decide(tx: Tx, request: ChargeRequest): Promise<ChargeStep> {
    const now = new Date();
    const payment =
      (await this.payments.findByOrder(tx, request.orderId)) ?? Payment.open(request, now);
    const step = payment.charge(request, now);
    if (step.kind === 'charge') await this.payments.save(tx, payment);
    return step;
  }
}
