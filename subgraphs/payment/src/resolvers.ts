import {
  type ConnectionArgs,
  dateTimeScalar,
  type Resolvers,
  requirePerson,
} from '@baedal/service-kit';
import type { PaymentContext } from './context.js';
import type { Db } from './db.js';
import type { PointsEntry } from './generated/prisma/client.js';
import { canSeePayment } from './payments/payment.access.js';
import { pointsBalance, pointsHistory } from './points/points.queries.js';

/** A customer's points account; its fields are read when asked for. */
interface PointsAccount {
  readonly customerId: string;
}

/**
 * `Order.payment` on the order entity and the customer's points (`myPoints`). `Payment`'s
 * fields are its row's columns.
 */
export function createResolvers(db: Db): Resolvers<PaymentContext> {
  return {
    DateTime: dateTimeScalar,

    Query: {
      // Points are a customer's own: an administrator has none to read here.
      myPoints: (_: unknown, __: unknown, context: PaymentContext): PointsAccount => ({
        customerId: requirePerson(context.viewer, 'CUSTOMER').id,
      }),
    },

    PointsAccount: {
      balance: ({ customerId }: PointsAccount) => pointsBalance(db, customerId),
      history: ({ customerId }: PointsAccount, args: ConnectionArgs) =>
        pointsHistory(db, customerId, args),
    },

    PointsEntry: {
      order: (entry: PointsEntry) => ({ id: entry.orderId }),
      at: (entry: PointsEntry) => entry.createdAt,
    },

    Order: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      payment: async ({ id }: { id: string }, _: unknown, context: PaymentContext) => {
        const payment = await context.loaders.paymentOfOrder.load(id);
        return payment && canSeePayment(context.viewer, payment) ? payment : null;
      },
    },
  };
}
