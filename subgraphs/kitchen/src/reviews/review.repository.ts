import { ConflictError } from '@baedal/domain';
import type { Tx } from '../db.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Review } from './review.aggregate.js';

/** Stores reviews, and the store ratings they add up to. */
export class ReviewRepository {
  /**
   * Inserts a review and adds its stars to its store's rating, in the caller's transaction,
   * so `Store.rating` includes it as soon as it commits. A second review of the same order,
   * even one racing this one, is `CONFLICT` (the order id is the key).
   */
  async add(tx: Tx, review: Review): Promise<void> {
    const { storeId, stars } = review.state;
    try {
      await tx.review.create({ data: review.state });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new ConflictError('This order has a review already.', {
          orderId: review.state.orderId,
        });
      }
      throw error;
    }
    await tx.store.update({
      where: { id: storeId },
      data: { ratingCount: { increment: 1 }, ratingTotal: { increment: stars } },
    });
  }
}
