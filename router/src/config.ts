import { subgraphs } from '@baedal/schema';
import {
  type ConfigOf,
  developmentSecrets,
  loadConfig,
  port,
  secret,
  url,
  variable,
} from '@baedal/service-kit';
import { z } from 'zod';

const subgraphUrl = (name: keyof typeof subgraphs) =>
  variable(`${name.toUpperCase()}_URL`, url(`http://127.0.0.1:${subgraphs[name]}/graphql`));

const variables = {
  port: variable('PORT', port(4000)),
  host: variable('HOST', z.string().default('127.0.0.1')),
  /** Verifies people's bearer tokens. */
  jwtSecret: variable('JWT_SECRET', secret(developmentSecrets.jwt)),
  /** Signs the identity assertions subgraphs accept. */
  internalJwtSecret: variable('INTERNAL_JWT_SECRET', secret(developmentSecrets.internalJwt)),
  orderUrl: subgraphUrl('order'),
  paymentUrl: subgraphUrl('payment'),
  kitchenUrl: subgraphUrl('kitchen'),
  deliveryUrl: subgraphUrl('delivery'),
  /** Origins allowed to call the API from a browser, comma-separated; `*` for any. */
  corsOrigins: variable('CORS_ORIGINS', z.string().default('*')),
  logLevel: variable(
    'LOG_LEVEL',
    z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  ),
  logFormat: variable('LOG_FORMAT', z.enum(['json', 'pretty']).default('json')),
};

export type RouterConfig = ConfigOf<typeof variables>;

export const loadRouterConfig = (env: NodeJS.ProcessEnv = process.env): RouterConfig =>
  loadConfig(variables, env);
