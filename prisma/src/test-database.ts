import { randomBytes } from 'node:crypto';
import { databaseUrlFor, dropDatabase } from './databases.js';
import { migrateDatabase } from './migrate.js';
import type { SchemaName } from './schemas.js';

/** The PostgreSQL server tests use: `POSTGRES_URL`, or the local default. */
export const testServerUrl =
  process.env.POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase extends AsyncDisposable {
  readonly url: string;
}

/**
 * A fresh database with every migration of `schema` applied, under a random name so that
 * tests can run side by side. Dropped when disposed (`await using db = ...`).
 */
export async function createTestDatabase(schema: SchemaName): Promise<TestDatabase> {
  const url = databaseUrlFor(
    testServerUrl,
    `baedal_test_${randomBytes(4).toString('hex')}`,
    schema,
  );
  await migrateDatabase(schema, url);
  return { url, [Symbol.asyncDispose]: () => dropDatabase(url) };
}
