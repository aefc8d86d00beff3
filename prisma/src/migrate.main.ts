/**
 * `npm run db:migrate [schema...]`: creates each subgraph's database if it is missing and
 * applies its migrations. Databases are `<DATABASE_PREFIX>_<subgraph>` on `POSTGRES_URL`
 * (defaults: `baedal`, the local server).
 */
import { databaseUrlFor } from './databases.js';
import { migrateDatabase } from './migrate.js';
import { type SubgraphSchema, subgraphSchemas } from './schemas.js';

const serverUrl = process.env.POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const prefix = process.env.DATABASE_PREFIX ?? 'baedal';
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(subgraphSchemas as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`Unknown schema ${unknown.join(', ')}; choose from ${subgraphSchemas.join(', ')}.`);
  process.exit(2);
}

for (const name of (requested.length ? requested : subgraphSchemas) as SubgraphSchema[]) {
  const url = databaseUrlFor(serverUrl, prefix, name);
  const applied = await migrateDatabase(name, url);
  console.log(`${name}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
}
// The WebAssembly schema engine leaves a timer of its own pending for about ten seconds
// after it is freed; a one-shot command need not wait for it.
process.exit(0);
