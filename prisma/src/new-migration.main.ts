/**
 * `npm run db:migration -- <schema> <name>`: writes the next migration of a schema, the SQL
 * from the schema as of its last committed migration to the schema in the working tree.
 *
 * This is `prisma migrate dev --create-only` for machines where Prisma's native engine
 * cannot be downloaded. The WebAssembly engine cannot introspect a shadow database here
 * (it fails on a catalog column of type "char"), so the previous schema is read from git
 * instead: the commit that last touched the schema's migrations folder. Online, the
 * ordinary `prisma migrate dev` works on the same folders.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, realpath, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { promisify } from 'node:util';
import { diffSchemas, lockfileContent } from './migrate.js';
import {
  readSchemaFiles,
  type SchemaFile,
  type SchemaName,
  schemaDir,
  schemaNames,
} from './schemas.js';

const git = async (...args: string[]) =>
  (await promisify(execFile)('git', args, { cwd: schemaDir('order') })).stdout;

async function schemaAtLastMigration(
  name: SchemaName,
  current: SchemaFile[],
): Promise<SchemaFile[] | 'empty'> {
  const migrations = `${schemaDir(name)}migrations`;
  const existing = await readdir(migrations).catch(() => []);
  if (!existing.some((entry) => /^\d{14}_/.test(entry))) return 'empty';
  const root = (await git('rev-parse', '--show-toplevel')).trim();
  const commit = (await git('log', '-1', '--format=%H', '--', migrations)).trim();
  if (!commit) throw new Error(`Commit the migrations of ${name} before writing the next one.`);
  return Promise.all(
    current.map(async (file) => ({
      path: file.path,
      // Through the link: git keeps a symlinked file (event-bus.prisma) as its target's path.
      content: await git('show', `${commit}:${relative(root, await realpath(file.path))}`),
    })),
  );
}

const [name, label] = process.argv.slice(2);
if (!name || !(schemaNames as readonly string[]).includes(name) || !label?.match(/^[a-z0-9_]+$/)) {
  console.error(`Usage: npm run db:migration -- <${schemaNames.join('|')}> <snake_case_name>`);
  process.exit(2);
}
const schema = name as SchemaName;
const serverUrl = process.env.POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const current = await readSchemaFiles(schema);
const sql = await diffSchemas(await schemaAtLastMigration(schema, current), current, serverUrl);
if (!sql.trim() || sql.includes('This is an empty migration.')) {
  console.log(`${schema}: the schema has not changed since its last migration.`);
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const folder = `${schemaDir(schema)}migrations/${stamp}_${label}`;
await mkdir(folder, { recursive: true });
await writeFile(`${folder}/migration.sql`, sql);
await writeFile(`${schemaDir(schema)}migrations/migration_lock.toml`, lockfileContent);
console.log(`Wrote ${relative(process.cwd(), folder)}/migration.sql`);
