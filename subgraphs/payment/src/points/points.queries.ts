import {
  afterTimeCursor,
  type Connection,
  type ConnectionArgs,
  decodeTimeCursor,
  pageSize,
  timeCursor,
  toConnection,
} from '@baedal/service-kit';
import type { Db } from '../db.js';
import type { PointsEntry } from '../generated/prisma/client.js';

/** A customer's points account (`myPoints`); its fields are read when asked for. */
export interface PointsAccount {
  readonly customerId: string;
}

/** A customer's points now: what captures earned, less what refunds took back. */
export async function pointsBalance(db: Db, customerId: string): Promise<number> {
  const { _sum } = await db.pointsEntry.aggregate({
    where: { customerId },
    _sum: { points: true },
  });
  return _sum.points ?? 0;
}

/** A customer's points ledger, newest first, as a page of a connection. */
export async function pointsHistory(
  db: Db,
  customerId: string,
  args: ConnectionArgs,
): Promise<Connection<PointsEntry>> {
  const size = pageSize(args);
  const after = args.after ? decodeTimeCursor(args.after) : null;
  const rows = await db.pointsEntry.findMany({
    where: { customerId, ...(after && afterTimeCursor(after, 'createdAt', 'id')) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: size + 1,
  });
  return toConnection(rows, size, (row) => timeCursor(row.createdAt, row.id));
}
