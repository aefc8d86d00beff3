import { parsePrivateKey, parsePublicKey, type ServiceKey } from '@baedal/identity';
import { type SubgraphName, subgraphs } from '@baedal/schema';
import { z } from 'zod';

/** One environment variable and the schema its value must satisfy. */
export interface Variable<T> {
  readonly name: string;
  readonly schema: z.ZodType<T, unknown>;
  /**
   * The schema with `NODE_ENV=production`, when it is stricter: no development default, no
   * development value.
   */
  readonly production?: z.ZodType<T, unknown>;
}

export const variable = <T>(
  name: string,
  schema: z.ZodType<T, unknown>,
  production?: z.ZodType<T, unknown>,
): Variable<T> => ({ name, schema, ...(production && { production }) });

export type ConfigOf<V extends Record<string, Variable<unknown>>> = {
  readonly [K in keyof V]: V[K] extends Variable<infer T> ? T : never;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and validates configuration once, at start-up, into a frozen object. With
 * `NODE_ENV=production` each variable's production schema applies (see `Variable`). Every
 * wrong or missing variable is reported at once, by name:
 *
 *     Invalid configuration:
 *       PORT: Invalid input: expected number, received NaN
 *       JWT_SECRET: must be set in production
 */
export function loadConfig<V extends Record<string, Variable<unknown>>>(
  variables: V,
  env: NodeJS.ProcessEnv = process.env,
): ConfigOf<V> {
  const production = env.NODE_ENV === 'production';
  const config: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, variable] of Object.entries(variables)) {
    const { name } = variable;
    const schema = (production && variable.production) || variable.schema;
    const raw = env[name];
    const result = schema.safeParse(raw === '' ? undefined : raw);
    if (result.success) config[key] = result.data;
    else
      problems.push(`  ${name}: ${result.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  return Object.freeze(config) as ConfigOf<V>;
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

/**
 * Development-only secrets and keys, the defaults outside production so that `npm start`,
 * `npm test` and `npm run token` need no setup. They are published with the source code:
 * production refuses them (see `knownSecrets`), and deployments generate their own with
 * `npm run secrets`.
 */
export const developmentSecrets = {
  jwt: 'development-only-user-token-secret-0001',
  routerPrivateKey: 'MC4CAQAwBQYDK2VwBCIEIEAQyl2+DLNqAp7cD07k1H6DYyyNV5PrhunkGFTuEz8W',
  routerPublicKey: 'MCowBQYDK2VwAyEAGnyJOHPZCaiZdgpel9JOteM1mirx2pxNa0fIt7gEbUM=',
  orderPrivateKey: 'MC4CAQAwBQYDK2VwBCIEIC/hb/dKg1seSpoAaEWGZdDaAL2JZf9tVeKZVUgB8XmU',
  orderPublicKey: 'MCowBQYDK2VwAyEAk+2L1pIbP73WVoGD6+G4hcmnvWdi8FkrGkDz+pzi/bk=',
} as const;

/**
 * Secrets anyone who read this repository knows: the development values above and the
 * values earlier versions used (the shared internal secret, the demo values compose once
 * defaulted to). Production refuses each of them.
 */
const knownSecrets: ReadonlySet<string> = new Set([
  developmentSecrets.jwt,
  'development-only-internal-token-secret-01',
  'compose-demo-user-token-secret-change-me',
  'compose-demo-internal-secret-change-me',
]);
/** Keys are compared by thumbprint, so that a re-encoded development key is caught too. */
const knownKeyIds: ReadonlySet<string> = new Set(
  [developmentSecrets.routerPublicKey, developmentSecrets.orderPublicKey].map(
    (key) => parsePublicKey(key).kid,
  ),
);
const published = 'is a development value published with the source code; generate your own';
const setInProduction = { error: 'must be set in production' };

/**
 * A shared secret of at least 32 characters. Outside production `developmentDefault` is the
 * default; in production it must be set, and not to a published value.
 */
export function secretVariable(name: string, developmentDefault: string): Variable<string> {
  const schema = z.string(setInProduction).min(32, 'must be at least 32 characters');
  return variable(
    name,
    schema.default(developmentDefault),
    schema.refine((value) => !knownSecrets.has(value), published),
  );
}

/** Parses with `parse`, turning its `RangeError` into a validation issue. */
function keyText<T>(parse: (text: string) => T) {
  return z.string(setInProduction).transform((text, context) => {
    try {
      return parse(text);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}

/**
 * A service's Ed25519 private key (base64 PKCS#8 DER), which signs its identity assertions.
 * Outside production `developmentDefault` is the default; in production it must be set, and
 * not to a development key.
 */
export function privateKeyVariable(name: string, developmentDefault: string): Variable<ServiceKey> {
  const schema = keyText(parsePrivateKey);
  return variable(
    name,
    // `prefault`: the default is text, parsed like a value that was set.
    schema.prefault(developmentDefault),
    schema.refine((key) => !knownKeyIds.has(key.kid), published),
  );
}

/**
 * The public keys (base64 SPKI DER, comma-separated) that verify another service's identity
 * assertions: one, or the new and the old one while that service's key is rotated. Outside
 * production `developmentDefault` is the default; in production they must be set, and none
 * may be a development key.
 */
export function publicKeysVariable(
  name: string,
  developmentDefault: string,
): Variable<readonly ServiceKey[]> {
  const schema = keyText((text) =>
    text
      .split(',')
      .filter((key) => key.trim() !== '')
      .map(parsePublicKey),
  ).refine((keys) => keys.length > 0, 'must name at least one key');
  return variable(
    name,
    schema.prefault(developmentDefault),
    schema.refine((keys) => keys.every((key) => !knownKeyIds.has(key.kid)), published),
  );
}

/** Variables every service (router and subgraphs) reads. */
export function serviceVariables(defaultPort: number) {
  return {
    port: variable('PORT', port(defaultPort)),
    host: variable('HOST', z.string().default('127.0.0.1')),
    redisUrl: variable('REDIS_URL', url('redis://127.0.0.1:6379')),
    eventStreamPrefix: variable('EVENT_STREAM_PREFIX', z.string().min(1).default('baedal')),
    logLevel: variable(
      'LOG_LEVEL',
      z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    ),
    logFormat: variable('LOG_FORMAT', z.enum(['json', 'pretty']).default('json')),
    /** Where traces go over OTLP/HTTP (`/v1/traces` is added); tracing is off without it. */
    otlpEndpoint: variable('OTEL_EXPORTER_OTLP_ENDPOINT', z.url().optional()),
  };
}

/** Variables every subgraph reads. */
export function subgraphVariables(name: SubgraphName) {
  return {
    ...serviceVariables(subgraphs[name]),
    /** Verify the identity assertions the router signs (see `IdentityVerifier`). */
    routerPublicKeys: publicKeysVariable('ROUTER_PUBLIC_KEYS', developmentSecrets.routerPublicKey),
    databaseUrl: variable(
      'DATABASE_URL',
      url(`postgresql://postgres@127.0.0.1:5432/baedal_${name}`),
    ),
    eventConsumerName: variable('EVENT_CONSUMER_NAME', z.string().min(1).optional()),
    seedDemoData: variable('SEED_DEMO_DATA', flag(false)),
  };
}
