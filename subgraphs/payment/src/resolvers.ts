import { dateTimeScalar, type Resolvers } from '@baedal/service-kit';
import type { PaymentContext } from './context.js';
import { canSeePayment } from './payments/payment.access.js';

/** `Order.payment` on the order entity; `Payment`'s fields are its row's columns. */
export function createResolvers(): Resolvers<PaymentContext> {
  return {
    DateTime: dateTimeScalar,

    Order: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      payment: async ({ id }: { id: string }, _: unknown, context: PaymentContext) => {
        const payment = await context.loaders.paymentOfOrder.load(id);
        return payment && canSeePayment(context.viewer, payment) ? payment : null;
      },
    },
  };
}
