import { type SubgraphName, subgraphs } from '@baedal/schema';
import { z } from 'zod';

/** One environment variable and the schema its value must satisfy. */
export interface Variable<T> {
  readonly name: string;
  readonly schema: z.ZodType<T, unknown>;
}

export const variable = <T>(name: string, schema: z.ZodType<T, unknown>): Variable<T> => ({
  name,
  schema,
});

export type ConfigOf<V extends Record<string, Variable<unknown>>> = {
  readonly [K in keyof V]: V[K] extends Variable<infer T> ? T : never;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and validates configuration once, at start-up, into a frozen object. Every wrong or
 * missing variable is reported at once, by name:
 *
 *     Invalid configuration:
 *       PORT: Invalid input: expected number, received NaN
 */
export function loadConfig<V extends Record<string, Variable<unknown>>>(
  variables: V,
  env: NodeJS.ProcessEnv = process.env,
): ConfigOf<V> {
  const config: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, { name, schema }] of Object.entries(variables)) {
    const raw = env[name];
    const result = schema.safeParse(raw === '' ? undefined : raw);
    if (result.success) config[key] = result.data;
    else
      problems.push(`  ${name}: ${result.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return Object.freeze(config) as ConfigOf<V>;
}

const isProduction = process.env.NODE_ENV === 'production';

/**
 * A shared secret of at least 32 characters. Outside production a fixed development value
 * is the default, so that `npm start` and `npm run token` work with no setup; in production
 * it must be set.
 */
export function secret(developmentDefault: string) {
  const schema = z.string().min(32, 'must be at least 32 characters');
  return isProduction ? schema : schema.default(developmentDefault);
}

export const port = (fallback: number) =>
  z.coerce.number().int().min(0).max(65_535).default(fallback);
export const milliseconds = (fallback: number) =>
  z.coerce.number().int().positive().default(fallback);
export const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');
export const url = (fallback: string) => z.url().default(fallback);

/** Development-only secrets; production deployments must set their own (see README). */
export const developmentSecrets = {
  jwt: 'development-only-user-token-secret-0001',
  internalJwt: 'development-only-internal-token-secret-01',
} as const;

/** Variables every service (router and subgraphs) reads. */
export function serviceVariables(defaultPort: number) {
  return {
    port: variable('PORT', port(defaultPort)),
    host: variable('HOST', z.string().default('127.0.0.1')),
    redisUrl: variable('REDIS_URL', url('redis://127.0.0.1:6379')),
    eventStreamPrefix: variable('EVENT_STREAM_PREFIX', z.string().min(1).default('baedal')),
    /** Signs (router) or verifies (subgraphs) the identity assertions subgraphs accept. */
    internalJwtSecret: variable('INTERNAL_JWT_SECRET', secret(developmentSecrets.internalJwt)),
    logLevel: variable(
      'LOG_LEVEL',
      z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    ),
    logFormat: variable('LOG_FORMAT', z.enum(['json', 'pretty']).default('json')),
  };
}

/** Variables every subgraph reads. */
export function subgraphVariables(name: SubgraphName) {
  return {
    ...serviceVariables(subgraphs[name]),
    databaseUrl: variable(
      'DATABASE_URL',
      url(`postgresql://postgres@127.0.0.1:5432/baedal_${name}`),
    ),
    eventConsumerName: variable('EVENT_CONSUMER_NAME', z.string().min(1).optional()),
    seedDemoData: variable('SEED_DEMO_DATA', flag(false)),
  };
}
