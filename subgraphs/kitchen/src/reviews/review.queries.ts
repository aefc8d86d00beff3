import {
  afterTimeCursor,
  type ConnectionArgs,
  decodeTimeCursor,
  pageSize,
  timeCursor,
  toConnection,
} from '@baedal/service-kit';
import type { Db } from '../db.js';

/** A page of a store's reviews, newest first (`Store.reviews`). */
export async function storeReviews(db: Db, storeId: string, args: ConnectionArgs) {
  const size = pageSize(args);
  const after = args.after ? decodeTimeCursor(args.after) : null;
  const rows = await db.review.findMany({
    where: { storeId, ...(after && afterTimeCursor(after, 'createdAt', 'orderId')) },
    orderBy: [{ createdAt: 'desc' }, { orderId: 'desc' }],
    take: size + 1,
  });
  return toConnection(rows, size, (review) => timeCursor(review.createdAt, review.orderId));
}
