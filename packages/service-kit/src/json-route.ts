import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadUserInputError, DomainError, type ErrorCode } from '@baedal/domain';
import { type Caller, type IdentityVerifier, identityHeader } from '@baedal/identity';
import { addLogFields } from '@baedal/telemetry';
import type express from 'express';
import type { z } from 'zod';
import type { Logger } from './logger.js';

/** The HTTP status of each expected failure, for routes that are not GraphQL. */
export const httpStatus: Record<ErrorCode, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  PAYMENT_DECLINED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  PAYMENT_UNAVAILABLE: 503,
  KITCHEN_UNAVAILABLE: 503,
};

/**
 * A JSON endpoint for other services. What `handle` returns is answered with HTTP 200; a
 * `DomainError` with its status and `{ error: { code, message, ...details } }`; anything
 * else is logged and answered with HTTP 500, masked. The body is already parsed (JSON). The
 * request's log lines name the endpoint as their `operation` (`POST /internal/charges`).
 */
export function jsonRoute(
  logger: Logger,
  handle: (request: express.Request) => Promise<unknown>,
): express.RequestHandler {
  return async (request, response) => {
    addLogFields({ operation: `${request.method} ${request.path}` });
    try {
      response.json(await handle(request));
    } catch (error) {
      if (error instanceof DomainError) {
        response.status(httpStatus[error.code]).json({
          error: { code: error.code, message: error.message, ...error.details },
        });
        return;
      }
      logger.error({ err: error, path: request.path }, 'unexpected error in a JSON route');
      response
        .status(500)
        .json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' } });
    }
  };
}

/** Answers a body that is not JSON, or too large, as `BAD_USER_INPUT` instead of an HTML page. */
export const bodyParserErrors: express.ErrorRequestHandler = (error, _request, response, next) => {
  const status = (error as { status?: number }).status;
  if (status === undefined || status >= 500) return next(error);
  answerBodyError(error, response);
};

/**
 * Answers a body the parser refused: `BAD_USER_INPUT` with the parser's status, or HTTP 500
 * for a fault of the server.
 */
export function answerBodyError(
  error: Error & { status?: number },
  response: ServerResponse,
): void {
  const refused = error.status !== undefined && error.status < 500;
  response.statusCode = refused ? error.status! : 500;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(
    JSON.stringify({
      error: refused
        ? { code: 'BAD_USER_INPUT', field: 'body', message: error.message }
        : { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' },
    }),
  );
}

/**
 * A JSON route's body, parsed with its contract's schema. The first problem found is
 * `BAD_USER_INPUT` naming its `field` (the path inside the body, or `body` for the whole).
 */
export function parseJsonBody<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
): z.output<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new BadUserInputError(issue.path.join('.') || 'body', issue.message);
}

/**
 * The caller of an internal endpoint, from the identity assertion it sent (`UNAUTHENTICATED`
 * if there is none, or it is not valid for `identity`); the role of the person it acts for
 * joins the request's log fields.
 */
export async function verifiedCaller(
  identity: IdentityVerifier,
  request: IncomingMessage,
): Promise<Caller> {
  const header = request.headers[identityHeader];
  const caller = await identity.verify(typeof header === 'string' ? header : undefined);
  addLogFields({ role: caller.viewer?.role ?? 'ANONYMOUS' });
  return caller;
}
