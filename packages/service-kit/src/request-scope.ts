import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { contextFrom, logFields, tracer, withLogFields } from '@baedal/telemetry';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Logger } from './logger.js';

/** The header that carries a request's id, from the client through every service it reaches. */
export const requestIdHeader = 'x-request-id';

/** Ids a caller may choose: short, and nothing that could forge a log line. */
const acceptedRequestId = /^[\w.:-]{1,128}$/;

/**
 * Serves each request in a scope of its own. The request's id is the caller's `x-request-id`
 * (the router forwards its own to the subgraphs, and a subgraph to the service it calls) or
 * a new UUID, and is answered in the same header; every log line written while serving the
 * request carries it (see `createLogger`). With tracing on, the request is a server span
 * continuing the caller's W3C `traceparent`, active while it is served. Each request served
 * is logged at debug (`request served`, with its status and duration). Mount it after the
 * body parser: a scope does not follow the body's stream events.
 */
export function requestScope(
  logger: Logger,
): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  return (request, response, next) => {
    const startedAt = performance.now();
    const header = request.headers[requestIdHeader];
    const requestId =
      typeof header === 'string' && acceptedRequestId.test(header) ? header : randomUUID();
    response.setHeader(requestIdHeader, requestId);
    const path = request.url?.split('?', 1)[0];
    const span = tracer.startSpan(
      `${request.method} ${path}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'url.path': path },
      },
      contextFrom(request.headers),
    );
    context.with(trace.setSpan(context.active(), span), () =>
      withLogFields({ requestId }, () => {
        // An emitter calls its listeners in the emitting scope, not this one: the request's
        // id is named here rather than bound (`AsyncResource.bind` costs more per request).
        response.once('close', () => {
          const status = response.statusCode;
          const durationMs = Math.round(performance.now() - startedAt);
          logger.debug({ requestId, path, status, durationMs }, 'request served');
          span.setAttribute('http.response.status_code', status);
          if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        });
        next();
      }),
    );
  };
}

/** The id of the request being served, if any (see `requestScope`). */
export function currentRequestId(): string | undefined {
  return logFields()?.requestId;
}
