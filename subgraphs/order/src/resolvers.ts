import { BadUserInputError, ForbiddenError } from '@baedal/domain';
import {
  afterTimeCursor,
  type ConnectionArgs,
  dateTimeScalar,
  decodeSequenceCursor,
  decodeTimeCursor,
  pageSize,
  type Resolvers,
  requireRole,
  sequenceCursor,
  timeCursor,
  toConnection,
} from '@baedal/service-kit';
import type { OrderContext } from './context.js';
import type { Db } from './db.js';
import type { CancelOrder } from './orders/cancel-order.command.js';
import type { ConfirmDelivery } from './orders/confirm-delivery.command.js';
import { canSeeOrder } from './orders/order.access.js';
import type { DeliveryFees, OrderLine, OrderState, OrderStatus } from './orders/order.aggregate.js';
import { toAggregate, withDetails } from './orders/order.repository.js';
import type { PayOrder } from './orders/pay-order.command.js';
import type { PlaceOrder } from './orders/place-order.command.js';

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
}: OrderResolverOptions): Resolvers<OrderContext> {
  return {
    DateTime: dateTimeScalar,

    Query: {
      order: async (_: unknown, { id }: { id: string }, context: OrderContext) => {
        const order = await context.loaders.order.load(id);
        if (order && !(await canSeeOrder(context, order)))
          throw new ForbiddenError('This order is not yours.');
        return order;
      },
      myOrders: async (
        _: unknown,
        args: { status?: OrderStatus[] | null } & ConnectionArgs,
        context: OrderContext,
      ) => {
        const customer = requireRole(context.viewer, 'CUSTOMER');
        const size = pageSize(args);
        const after = args.after ? decodeTimeCursor(args.after) : null;
        const rows = await db.order.findMany({
          where: {
            customerId: customer.id,
            ...(args.status?.length && { status: { in: args.status } }),
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
      orderStatusEvents: async (
        _: unknown,
        { orderId, after }: { orderId: string; after?: string | null },
        context: OrderContext,
      ) => {
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
      placeOrder: (_: unknown, { input }: MutationArgs<PlaceOrder>, context: OrderContext) =>
        placeOrder.execute(context.viewer, input),
      payOrder: async (_: unknown, { input }: MutationArgs<PayOrder>, context: OrderContext) => ({
        order: await payOrder.execute(context.viewer, input),
      }),
      cancelOrder: async (
        _: unknown,
        { input }: MutationArgs<CancelOrder>,
        context: OrderContext,
      ) => ({ order: await cancelOrder.execute(context.viewer, input) }),
      confirmDelivery: async (
        _: unknown,
        { input }: MutationArgs<ConfirmDelivery>,
        context: OrderContext,
      ) => ({ order: await confirmDelivery.execute(context.viewer, input) }),
    },

    Order: {
      __resolveReference: async ({ id }: { id: string }, context: OrderContext) => {
        const order = await context.loaders.order.load(id);
        return order && (await canSeeOrder(context, order)) ? order : null;
      },
      store: (order: OrderState) => ({ id: order.storeId }),
      items: (order: OrderState) => order.lines,
      timeline: (order: OrderState) =>
        [...order.timeline].sort((a, b) => a.at.getTime() - b.at.getTime() || a.seq - b.seq),
      placedAt: (order: OrderState) => order.createdAt,
      payBy: (order: OrderState) =>
        order.status === 'PAYMENT_PENDING'
          ? new Date(order.createdAt.getTime() + unpaidOrderTtlMs)
          : null,
    },

    // The platform's fees: the same for every store.
    Store: {
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      deliveryFeeWon: () => fees.deliveryFeeWon,
      expressFeeWon: () => fees.expressFeeWon,
    },

    OrderLine: {
      menuItem: (line: OrderLine) => ({ id: line.menuItemId }),
      totalWon: (line: OrderLine) => line.unitPriceWon * line.quantity,
    },
  };
}

/** A mutation's arguments: its use case's input, under `input`. */
type MutationArgs<U extends { execute(viewer: never, input: never): unknown }> = {
  input: Parameters<U['execute']>[1];
};
