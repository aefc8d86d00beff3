import type { orderCanceled } from '@baedal/contracts';
import type { EventHandler, PayloadOf } from '@baedal/event-bus';
import type { Tx } from '../db.js';
import { Payment } from './payment.aggregate.js';
import type { PaymentRepository } from './payment.repository.js';
import type { RefundScheduler } from './settle-charge-attempt.command.js';

/**
 * An order ended without delivery (rejected or canceled): its payment is closed, so that
 * nothing more is charged and money taken goes back (see `Payment.closeOrder`). A captured
 * payment goes REFUNDING and the refund job gives the money back; a payment whose charge is
 * still unknown is refunded once the charge settles approved. An order with no payment yet
 * gets a CANCELED one, so that a charge arriving after the cancel is refused. A payment
 * closed already is left as it is, so any number of cancel events, in any order with the
 * charge, close it once.
 */
export function refundCanceledOrder(
  payments: PaymentRepository,
  refunds: RefundScheduler,
): EventHandler<Tx, PayloadOf<typeof orderCanceled>> {
  return async (event, tx) => {
    const { orderId, customerId } = event.payload;
    const at = new Date(event.occurredAt);
    const payment = await payments.findByOrder(tx, orderId);
    if (!payment) {
      await payments.save(tx, Payment.closedBeforeCharge({ orderId, customerId }, at));
      return;
    }
    if (!payment.closeOrder(at)) return;
    await payments.save(tx, payment);
    if (payment.state.status === 'REFUNDING') refunds.refundSoon(payment.state.id);
  };
}
