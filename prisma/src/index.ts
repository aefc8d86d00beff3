export { databaseUrlFor, dropDatabase, ensureDatabase } from './databases.js';
export { diffSchemas, migrateDatabase } from './migrate.js';
export {
  readSchemaFiles,
  type SchemaName,
  type SubgraphSchema,
  schemaDir,
  schemaNames,
  subgraphSchemas,
} from './schemas.js';
