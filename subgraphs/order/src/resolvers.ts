import { BadUserInputError, ForbiddenError } from '@baedal/domain';
import {
  afterTimeCursor,
  dateTimeScalar,
  decodeSequenceCursor,
  decodeTimeCursor,
  pageSize,
  requireRole,
  sequenceCursor,
  timeCursor,
  toConnection,
} from '@baedal/service-kit';
import type { Db } from './db.js';
import type { CancelOrder } from './orders/cancel-order.command.js';
import type { ConfirmDelivery } from './orders/confirm-delivery.command.js';
import { canSeeOrder } from './orders/order.access.js';
import type { DeliveryFees } from './orders/order.aggregate.js';
import { toAggregate, withDetails } from './orders/order.repository.js';
import type { PayOrder } from './orders/pay-order.command.js';
import type { PlaceOrder } from './orders/place-order.command.js';
import type { Resolvers } from './schema.generated.js';

export interface OrderResolverOptions {
  readonly db: Db;
  readonly placeOrder: PlaceOrder;
  readonly payOrder: PayOrder;
  readonly cancelOrder: CancelOrder;
  readonly confirmDelivery: ConfirmDelivery;
  readonly fees: DeliveryFees;
  /** How long an order may wait for payment (`Order.payBy`). */
  readonly unpaidOrderTtlMs: number;
}

export function createResolvers({
  db,
  placeOrder,
  payOrder,
  cancelOrder,
  confirmDelivery,
  fees,
  unpaidOrderTtlMs,
}: OrderResolverOptions): Resolvers {
  return {
    DateTime: dateTimeScalar,

    Query: {
      order: async (_, { id }, context) => {
        const order = await context.loaders.order.load(id);
        if (order && !(await canSeeOrder(context, order)))
          throw new ForbiddenError('This order is not yours.');
        return order;
      },
      myOrders: async (_, args, context) => {
        const customer = requireRole(context.viewer, 'CUSTOMER');
        const size = pageSize(args);
        const after = args.after ? decodeTimeCursor(args.after) : null;
        const rows = await db.order.findMany({
          where: {
            customerId: customer.id,
            ...(args.status?.length && { status: { in: [...args.status] } }),
            ...(after && afterTimeCursor(after, 'createdAt', 'id')),
          },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          include: withDetails,
          take: size + 1,
        });
        return toConnection(
          rows.map((row) => toAggregate(row).state),
          size,
          (order) => timeCursor(order.createdAt, order.id),
        );
      },
      orderStatusEvents: async (_, { orderId, after }, context) => {
        const afterSeq = after ? decodeSequenceCursor(after) : null;
        const order = await context.loaders.order.load(orderId);
        if (!order) throw new BadUserInputError('orderId', 'no order has this id.');
        if (!(await canSeeOrder(context, order)))
          throw new ForbiddenError('This order is not yours.');
        const entries =
          afterSeq === null
            ? order.timeline.slice(-1)
            : order.timeline.filter((entry) => entry.seq > afterSeq);
        return entries.map((entry) => ({ cursor: sequenceCursor(entry.seq), entry, order }));
      },
    },

    Mutation: {
      placeOrder: (_, { input }, context) => placeOrder.execute(context.viewer, input),
      payOrder: async (_, { input }, context) => ({
        order: await payOrder.execute(context.viewer, input),
      }),
      cancelOrder: async (_, { input }, context) => ({
        order: await cancelOrder.execute(context.viewer, input),
      }),
      confirmDelivery: async (_, { input }, context) => ({
        order: await confirmDelivery.execute(context.viewer, input),
      }),
    },

    Order: {
      __resolveReference: async ({ id }, context) => {
        const order = await context.loaders.order.load(id);
        return order && (await canSeeOrder(context, order)) ? order : null;
      },
      store: (order) => ({ id: order.storeId }),
      items: (order) => order.lines,
      timeline: (order) =>
        [...order.timeline].sort((a, b) => a.at.getTime() - b.at.getTime() || a.seq - b.seq),
      placedAt: (order) => order.createdAt,
      payBy: (order) =>
        order.status === 'PAYMENT_PENDING'
          ? new Date(order.createdAt.getTime() + unpaidOrderTtlMs)
          : null,
    },

    // The platform's fees: the same for every store.
    Store: {
      __resolveReference: ({ id }) => ({ id }),
      deliveryFeeWon: () => fees.deliveryFeeWon,
      expressFeeWon: () => fees.expressFeeWon,
    },

    OrderLine: {
      menuItem: (line) => ({ id: line.menuItemId }),
      totalWon: (line) => line.unitPriceWon * line.quantity,
    },
  };
}
