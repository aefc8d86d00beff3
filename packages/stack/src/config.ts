import { loadConfig, url, variable } from '@baedal/service-kit';
import { z } from 'zod';

/** What `npm start` and `npm run reset` read from the environment. */
const variables = {
  /** The router's port; the subgraphs take the next four. */
  routerPort: variable('PORT', z.coerce.number().int().min(1).max(65_531).default(4000)),
  /** Any database of the PostgreSQL server; each subgraph gets its own database there. */
  postgresUrl: variable('POSTGRES_URL', url('postgresql://postgres@127.0.0.1:5432/postgres')),
  redisUrl: variable('REDIS_URL', url('redis://127.0.0.1:6379')),
  /** Databases are `<prefix>_order`, `<prefix>_payment` ... */
  databasePrefix: variable(
    'DATABASE_PREFIX',
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]*$/, 'lower-case letters, digits and underscores')
      .default('baedal'),
  ),
  /** Prefix of every Redis key the services use. */
  streamPrefix: variable('EVENT_STREAM_PREFIX', z.string().min(1).default('baedal')),
};

/** Reads and validates the stack's configuration; throws a `ConfigError` naming each problem. */
export const loadStackConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(variables, env);
