import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { IdentityAsserter, UserTokenVerifier } from '@baedal/identity';
import {
  createHttpServer,
  createLogger,
  formatError,
  healthRoutes,
  listen,
  type RunningService,
} from '@baedal/service-kit';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import cors from 'cors';
import express from 'express';
import type { RouterConfig } from './config.js';
import { type RouterContext, viewerFromAuthorization } from './context.js';
import { createGateway } from './gateway.js';

/**
 * Limits every operation must stay within, whatever its transport: nesting depth, a cost
 * estimate, aliases, directives and tokens. Field suggestions are not revealed in errors.
 */
export const operationLimits = new ApolloArmor({
  maxDepth: { n: 12 },
  costLimit: { maxCost: 5000 },
  maxAliases: { n: 20 },
  maxDirectives: { n: 20 },
  maxTokens: { n: 2000 },
  blockFieldSuggestion: { enabled: true },
});

/**
 * Starts the router: the one public endpoint (`/graphql`). It verifies people's bearer
 * tokens, plans each operation over the supergraph with Apollo's gateway and calls the
 * subgraphs with an identity assertion. Apollo's telemetry is off.
 */
export async function start(config: RouterConfig): Promise<RunningService> {
  const logger = createLogger('router', { level: config.logLevel, format: config.logFormat });
  const verifier = new UserTokenVerifier(config.jwtSecret);
  const gateway = createGateway({
    subgraphUrls: {
      order: config.orderUrl,
      payment: config.paymentUrl,
      kitchen: config.kitchenUrl,
      delivery: config.deliveryUrl,
    },
    identity: new IdentityAsserter(config.internalJwtSecret, 'router'),
  });

  const app = express();
  app.disable('x-powered-by');
  const httpServer = createHttpServer(app);
  const protection = operationLimits.protect();
  const apollo = new ApolloServer<RouterContext>({
    gateway,
    formatError: formatError(logger),
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    validationRules: protection.validationRules,
    plugins: [
      // graphql-armor is typed against @apollo/server's CommonJS build; the objects are the same.
      ...(protection.plugins as unknown as ApolloServerPlugin<RouterContext>[]),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
    ],
  });
  await apollo.start();

  healthRoutes(app, async () => {});
  app.use(
    '/graphql',
    cors({
      origin: config.corsOrigins === '*' ? '*' : config.corsOrigins.split(',').map((o) => o.trim()),
    }),
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => ({
        viewer: await viewerFromAuthorization(req.get('authorization'), verifier),
      }),
    }),
  );

  const port = await listen(httpServer, config.port, config.host);
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/graphql`;
  logger.info({ url }, 'router listening');
  return { url, [Symbol.asyncDispose]: () => apollo.stop() };
}
