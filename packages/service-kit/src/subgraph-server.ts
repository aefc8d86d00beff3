import type { RequestListener } from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Caller, IdentityVerifier } from '@baedal/identity';
import express from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import type { Registry } from 'prom-client';
import { formatError } from './graphql-errors.js';
import { graphqlHttpHandler, isGraphqlPath } from './graphql-http.js';
import { graphqlTelemetry } from './graphql-telemetry.js';
import { createHttpServer, healthRoutes, listen } from './http-server.js';
import { answerBodyError, bodyParserErrors, verifiedCaller } from './json-route.js';
import type { Logger } from './logger.js';
import { requestScope } from './request-scope.js';
import type { RunningService } from './run-service.js';

export interface SubgraphServerOptions<Context extends BaseContext> {
  readonly name: string;
  /** The executable subgraph schema (`buildSubgraphSchema`). */
  readonly schema: GraphQLSchema;
  readonly port: number;
  readonly host: string;
  /** Verifies the router's identity assertions meant for this subgraph. */
  readonly identity: IdentityVerifier;
  /** Builds each request's context from its verified caller. */
  readonly context: (caller: Caller) => Context;
  readonly logger: Logger;
  /** Served in Prometheus' text format at `GET /metrics`. */
  readonly metrics: Registry;
  /** Resolves when the service's dependencies answer; backs `GET /ready`. */
  readonly ready: () => Promise<void>;
  /** Routes beside `/graphql`, such as internal endpoints for other services (see `jsonRoute`). */
  readonly routes?: (app: express.Express) => void;
}

/**
 * Serves a subgraph at `POST /graphql`, with `/health`, `/ready` and `/metrics` (subgraphs are
 * reached only inside the deployment's network). Each request has its id, log fields and
 * span (`requestScope`), and each operation its metrics (`graphqlTelemetry`). Every request
 * must carry an identity assertion that the router signed for this subgraph; anything else
 * is refused with `UNAUTHENTICATED` (HTTP 401), so a subgraph cannot be used around the
 * router. Apollo's reporting, landing page and stack traces in errors are off. Disposing
 * drains in-flight requests, then closes the port.
 */
export async function startSubgraphServer<Context extends BaseContext>(
  options: SubgraphServerOptions<Context>,
): Promise<RunningService> {
  const { name, schema, identity, logger } = options;
  const app = express();
  app.disable('x-powered-by');
  // `/graphql` is served without Express (see `graphqlRoute` below); the rest with it.
  let graphqlRoute: RequestListener = app;
  const httpServer = createHttpServer((request, response) =>
    isGraphqlPath(request.url) ? graphqlRoute(request, response) : app(request, response),
  );
  const apollo = new ApolloServer<Context>({
    schema,
    formatError: formatError(logger),
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      graphqlTelemetry(options.metrics),
    ],
  });
  await apollo.start();

  healthRoutes(app, options.ready);
  app.get('/metrics', async (_request, response) => {
    response.type(options.metrics.contentType).send(await options.metrics.metrics());
  });
  // Well above what the router accepts from clients: the gateway's entity requests
  // (`_entities` with many representations) can be larger than the client request that
  // caused them, and a request the router took must never fail here as a masked error.
  const jsonBody = express.json({ limit: '1mb' });
  const scope = requestScope(logger);
  app.use(jsonBody, scope);
  options.routes?.(app);
  app.use(bodyParserErrors);

  const serve = graphqlHttpHandler(
    apollo,
    async (request) => {
      try {
        return options.context(await verifiedCaller(identity, request));
      } catch (error) {
        throw new GraphQLError((error as Error).message, {
          extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
        });
      }
    },
    logger,
  );
  graphqlRoute = (request, response) =>
    jsonBody(request, response, (error?: Error) => {
      if (error) return answerBodyError(error, response);
      scope(request, response, () => void serve(request, response));
    });

  const port = await listen(httpServer, options.port, options.host);
  const url = `http://${options.host}:${port}/graphql`;
  logger.info({ url }, `${name} subgraph listening`);
  return { url, [Symbol.asyncDispose]: () => apollo.stop() };
}
