import { statementEvents } from '@baedal/service-kit';
import { PrismaPg } from '@prisma/adapter-pg';
import { type Prisma, PrismaClient } from './generated/prisma/client.js';

export type Db = PrismaClient<'query'>;
export type Tx = Prisma.TransactionClient;

/** The subgraph's database client; each SQL statement it sends is counted (`statementEvents`). */
export function connectDatabase(url: string): Db {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: url }),
    ...statementEvents,
  });
}
