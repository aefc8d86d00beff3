import cluster from 'node:cluster';
import type { RequestListener } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { UserTokenVerifier } from '@baedal/identity';
import {
  createHttpServer,
  createLogger,
  formatError,
  graphqlHttpHandler,
  graphqlTelemetry,
  healthRoutes,
  isGraphqlPath,
  listen,
  Resources,
  type RunningService,
  redisRetryStrategy,
  requestIdHeader,
  requestScope,
} from '@baedal/service-kit';
import { addLogFields, startTracing } from '@baedal/telemetry';
import cors from 'cors';
import express from 'express';
import { type ExecutionResult, GraphQLError, type GraphQLSchema } from 'graphql';
import { Redis } from 'ioredis';
import { AggregatorRegistry } from 'prom-client';
import type { RouterConfig } from './config.js';
import { type RouterContext, viewerFromAuthorization } from './context.js';
import { createGateway } from './gateway.js';
import { answerRequestError, jsonBody } from './http-errors.js';
import { inputChecks } from './input-checks.js';
import { LiveLimits } from './live/live-limits.js';
import { startLiveServer } from './live/live-server.js';
import type { RunQuery } from './live/payload-loader.js';
import { createMetrics, startMetricsServer } from './metrics.js';
import { limitPlugins, limitRules, parseOptions, tokenLimitAsLimit } from './operation-limits.js';
import { playgroundRoutes, wantsPlayground } from './playground.js';

/**
 * Starts the router: the one public endpoint (`/graphql`). Over HTTP it verifies people's
 * bearer tokens, plans each operation over the supergraph with Apollo's gateway and calls the
 * subgraphs with an identity assertion. Over WebSocket (graphql-ws, same path) it serves
 * subscriptions from the subgraphs' event streams (see `live/live-server.ts`). Also serves
 * `/health` and `/ready`, `/metrics` on a port of its own, and with `playground` the
 * playground, with introspection. Each request has an id, log fields and (with tracing on) a
 * trace that the subgraphs continue; Apollo's own reporting is off.
 */
export async function start(config: RouterConfig): Promise<RunningService> {
  const resources = new Resources();
  try {
    const logger = createLogger('router', { level: config.logLevel, format: config.logFormat });
    // Disposed last: the spans of the shutdown are exported too.
    const tracing = await startTracing('router', config.otlpEndpoint);
    if (tracing) resources.use(tracing);
    const metrics = createMetrics();
    const verifier = new UserTokenVerifier(config.jwtSecret, {
      maxLifetimeSeconds: config.tokenMaxLifetimeSeconds,
    });
    const { gateway, close: closeSubgraphClients } = createGateway({
      subgraphUrls: {
        order: config.orderUrl,
        payment: config.paymentUrl,
        kitchen: config.kitchenUrl,
        delivery: config.deliveryUrl,
      },
      signingKey: config.routerPrivateKey,
      onSubgraphRequest: (subgraph, context) =>
        metrics.subgraphRequests.inc({ subgraph, origin: context.origin }),
    });
    resources.use(closeSubgraphClients);
    let apiSchema: GraphQLSchema | undefined;
    gateway.onSchemaLoadOrUpdate(({ apiSchema: schema }) => {
      apiSchema = schema;
    });

    const app = express();
    app.disable('x-powered-by');
    // `/graphql` is served without Express (see `graphqlRoute` below); the rest with it.
    let graphqlRoute: RequestListener = app;
    const httpServer = createHttpServer((request, response) => {
      if (isGraphqlPath(request.url) && !(config.playground && wantsPlayground(request))) {
        graphqlRoute(request, response);
      } else {
        app(request, response);
      }
    });
    const formatKnownError = formatError(logger);
    const apollo = new ApolloServer<RouterContext>({
      gateway,
      formatError: (formatted, error) => formatKnownError(tokenLimitAsLimit(formatted), error),
      introspection: config.playground,
      includeStacktraceInErrorResponses: false,
      allowBatchedHttpRequests: false,
      parseOptions,
      validationRules: [...limitRules],
      plugins: [
        // graphql-armor is typed against @apollo/server's CommonJS build; the objects are the same.
        ...(limitPlugins as ApolloServerPlugin<RouterContext>[]),
        inputChecks as ApolloServerPlugin<RouterContext>,
        ApolloServerPluginDrainHttpServer({ httpServer }),
        ApolloServerPluginLandingPageDisabled(),
        ApolloServerPluginUsageReportingDisabled(),
        ApolloServerPluginSchemaReportingDisabled(),
        graphqlTelemetry(metrics.registry),
      ],
    });
    await apollo.start();
    resources.use(() => apollo.stop());

    /** An operation through the gateway on behalf of a viewer, for the live layer. */
    const runQuery: RunQuery = async (query, variables, viewer, operationName) => {
      const response = await apollo.executeOperation(
        { query, variables, ...(operationName && { operationName }) },
        { contextValue: { viewer, origin: 'live' } },
      );
      if (response.body.kind !== 'single') {
        throw new Error('Incremental delivery is not supported.');
      }
      const { data, errors } = response.body.singleResult;
      // Apollo answers with formatted errors; graphql-ws sends only GraphQLError instances.
      return {
        data: data as ExecutionResult['data'],
        ...(errors && {
          errors: errors.map(
            (error) =>
              new GraphQLError(error.message, { path: error.path, extensions: error.extensions }),
          ),
        }),
      };
    };

    // The live layer reads the streams with blocking commands: a connection of its own.
    const redis = new Redis(config.redisUrl, {
      lazyConnect: true,
      retryStrategy: redisRetryStrategy,
    });
    redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
    await redis.connect();
    resources.use(() => redis.disconnect());
    const live = await startLiveServer({
      httpServer,
      path: '/graphql',
      schema: () => apiSchema!,
      runQuery,
      verifier,
      redis,
      streamPrefix: config.eventStreamPrefix,
      validationRules: limitRules,
      keepAliveMs: config.liveKeepAliveMs,
      maxQueuedResults: config.liveMaxQueuedResults,
      drainTimeoutMs: config.liveDrainTimeoutMs,
      maxConnections: config.liveMaxConnections,
      limits: new LiveLimits({
        maxConnectionsPerPerson: config.liveMaxConnectionsPerPerson,
        maxSubscriptionsPerPerson: config.liveMaxSubscriptionsPerPerson,
        subscriptionsPerMinutePerPerson: config.liveMaxNewSubscriptionsPerMinute,
      }),
      metrics,
      logger,
    });
    resources.use(live);

    healthRoutes(app, async () => {
      // Not a PING: the live layer blocks this connection on its stream reads.
      if (redis.status !== 'ready') throw new Error(`Redis is ${redis.status}.`);
    });
    if (config.playground) playgroundRoutes(app);
    const corsHeaders = cors({ origin: config.corsOrigins, exposedHeaders: [requestIdHeader] });
    const scope = requestScope(logger);
    const serve = graphqlHttpHandler(
      apollo,
      async (request) => {
        const viewer = await viewerFromAuthorization(request.headers.authorization, verifier);
        addLogFields({ role: viewer?.role ?? 'ANONYMOUS' });
        return { viewer, origin: 'http' as const };
      },
      logger,
    );
    /** CORS (a preflight ends here), the body (a refused one is answered), a scope, Apollo. */
    graphqlRoute = (request, response) => {
      // The page is negotiated on Accept: so is whatever else a GET here is answered with.
      if (config.playground && request.method === 'GET') response.setHeader('vary', 'Accept');
      corsHeaders(request, response, () =>
        jsonBody(request, response, (error?: Error) => {
          if (error) return answerRequestError(error, request, response);
          scope(request, response, () => void serve(request, response));
        }),
      );
    };

    // A worker of several (`ROUTER_WORKERS`) reports its metrics to the first process, which
    // serves them all together.
    let metricsUrl: string | undefined;
    if (cluster.isWorker) {
      // Constructing one is what makes a worker answer the first process's requests.
      new AggregatorRegistry();
      AggregatorRegistry.setRegistries([metrics.registry]);
    } else {
      const { registry } = metrics;
      const metricsServer = await startMetricsServer(
        { contentType: registry.contentType, collect: () => registry.metrics() },
        config.metricsPort,
        config.host,
        logger,
      );
      resources.use(metricsServer);
      metricsUrl = metricsServer.url;
    }

    const port = await listen(httpServer, config.port, config.host);
    const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/graphql`;
    logger.info({ url, metrics: metricsUrl }, 'router listening');
    return { url, [Symbol.asyncDispose]: () => resources[Symbol.asyncDispose]() };
  } catch (error) {
    await resources[Symbol.asyncDispose]().catch(() => {});
    throw error;
  }
}
