import { dateTimeScalar, requirePerson } from '@baedal/service-kit';
import type { Db } from './db.js';
import { canSeePayment } from './payments/payment.access.js';
import { pointsBalance, pointsHistory } from './points/points.queries.js';
import type { Resolvers } from './schema.generated.js';

/**
 * `Order.payment` on the order entity and the customer's points (`myPoints`). `Payment`'s
 * fields are its row's columns.
 */
export function createResolvers(db: Db): Resolvers {
  return {
    DateTime: dateTimeScalar,

    Query: {
      // Points are a customer's own: an administrator has none to read here.
      myPoints: (_, __, context) => ({
        customerId: requirePerson(context.viewer, 'CUSTOMER').id,
      }),
    },

    PointsAccount: {
      balance: ({ customerId }) => pointsBalance(db, customerId),
      history: ({ customerId }, args) => pointsHistory(db, customerId, args),
    },

    PointsEntry: {
      order: (entry) => ({ id: entry.orderId }),
      at: (entry) => entry.createdAt,
    },

    Order: {
      __resolveReference: ({ id }) => ({ id }),
      payment: async ({ id }, _, context) => {
        const payment = await context.loaders.paymentOfOrder.load(id);
        return payment && canSeePayment(context.viewer, payment) ? payment : null;
      },
    },
  };
}
