import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApolloServer, type BaseContext, HeaderMap } from '@apollo/server';
import type { Logger } from './logger.js';

/** A request whose body a parser has read (body-parser's `json`, used as plain middleware). */
export type ParsedRequest = IncomingMessage & { body?: unknown };

/** Whether a request is for `/graphql` (with or without a trailing slash or a query string). */
export function isGraphqlPath(url = ''): boolean {
  const path = url.split('?', 1)[0];
  return path === '/graphql' || path === '/graphql/';
}

/**
 * Serves GraphQL over HTTP with Apollo Server on Node's own request and response: the
 * request's method, headers, query string and parsed body go to Apollo, and its answer back.
 *
 * Written here rather than mounting `@as-integrations/express5` in Express, for the cost of
 * the path every GraphQL request takes: in a CPU profile of the router under load, Express's
 * routing, its `res.send` (which hashes every answer for an ETag) and the integration's legacy
 * `url.parse` were about a tenth of the router's time. What else a service serves (health,
 * metrics, the playground) stays in Express. An error Apollo does not turn into an answer
 * (a bug) is logged and answered with HTTP 500, as Express's own handler would.
 */
export function graphqlHttpHandler<Context extends BaseContext>(
  apollo: ApolloServer<Context>,
  context: (request: ParsedRequest) => Promise<Context>,
  logger: Logger,
): (request: ParsedRequest, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    try {
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const url = request.url ?? '';
      const queryStart = url.indexOf('?');
      const answer = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: request.method?.toUpperCase() ?? 'GET',
          headers,
          search: queryStart === -1 ? '' : url.slice(queryStart),
          body: request.body,
        },
        context: () => context(request),
      });
      response.statusCode = answer.status ?? 200;
      for (const [name, value] of answer.headers) response.setHeader(name, value);
      if (answer.body.kind === 'complete') {
        response.end(answer.body.string);
        return;
      }
      for await (const chunk of answer.body.asyncIterator) response.write(chunk);
      response.end();
    } catch (error) {
      logger.error({ err: error }, 'GraphQL request failed');
      if (response.headersSent) {
        response.destroy();
        return;
      }
      response.statusCode = 500;
      response.setHeader('content-type', 'application/json; charset=utf-8');
      response.end(
        JSON.stringify({
          errors: [
            { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
          ],
        }),
      );
    }
  };
}
