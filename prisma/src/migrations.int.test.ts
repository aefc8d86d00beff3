import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseUrlFor, dropDatabase, ensureDatabase } from './databases.js';
import { diffSchemas, migrateDatabase } from './migrate.js';
import { readSchemaFiles, subgraphSchemas } from './schemas.js';
import { createTestDatabase, testServerUrl } from './test-database.js';

/** Tables, columns, indexes, constraints and enums of a database, as comparable rows. */
async function describeSchema(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const query = async (sql: string) => (await client.query(sql)).rows;
    return {
      columns: await query(`
        SELECT table_name, column_name, data_type, is_nullable, column_default
        FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
        ORDER BY table_name, column_name`),
      indexes: await query(`
        SELECT indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexname`),
      constraints: await query(`
        SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
        FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'
        ORDER BY conname`),
      enums: await query(`
        SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY t.typname`),
    };
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  it.each(subgraphSchemas)(
    '%s: the committed migrations build exactly what the Prisma schema describes (run `npm run db:migration` after changing it)',
    async (name) => {
      await using migrated = await createTestDatabase(name);
      const direct = databaseUrlFor(testServerUrl, `baedal_test_direct_${process.pid}`, name);
      await ensureDatabase(direct);
      try {
        const sql = await diffSchemas('empty', await readSchemaFiles(name), testServerUrl);
        const client = new pg.Client({ connectionString: direct });
        await client.connect();
        await client.query(sql);
        await client.end();
        expect(await describeSchema(migrated.url)).toEqual(await describeSchema(direct));
      } finally {
        await dropDatabase(direct);
      }
    },
  );

  it('creates a missing database, applies every migration once, and then has nothing to do', async () => {
    const url = databaseUrlFor(testServerUrl, `baedal_test_fresh_${process.pid}`, 'kitchen');
    await dropDatabase(url);
    try {
      const first = await migrateDatabase('kitchen', url);
      expect(first.length).toBeGreaterThan(0);
      expect(await migrateDatabase('kitchen', url)).toEqual([]);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query(
        'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL',
      );
      await client.end();
      expect(rows.map((row) => row.migration_name)).toEqual(first);
    } finally {
      await dropDatabase(url);
    }
  });
});
