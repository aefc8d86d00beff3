import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import accepts from 'accepts';
import express from 'express';

/** The largest request body the router reads. */
export const maxBodyBytes = 100 * 1024;

const invalidUtf8 = 'invalid-utf8';

/**
 * Reads JSON bodies of up to `maxBodyBytes`. A body that is not valid UTF-8 is refused
 * rather than decoded with replacement characters, which would be stored as the client's
 * text.
 */
export const jsonBody = express.json({
  limit: maxBodyBytes,
  verify(_request, _response, body) {
    if (!isUtf8(body)) throw Object.assign(new Error(invalidUtf8), { status: 400 });
  },
});

/** What each refusal of the body parser becomes: HTTP status, code and message. */
function describe(error: { status?: number; type?: string; message: string }) {
  if (error.message === invalidUtf8) {
    return { status: 400, code: 'BAD_USER_INPUT', message: 'The request body is not UTF-8.' };
  }
  switch (error.type) {
    case 'entity.parse.failed':
      return { status: 400, code: 'BAD_REQUEST', message: 'The request body is not JSON.' };
    case 'entity.too.large':
      return {
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: `The request body is larger than ${maxBodyBytes / 1024} KiB.`,
      };
    default:
      return { status: error.status!, code: 'BAD_REQUEST', message: error.message };
  }
}

/**
 * Answers a request the body parser refused (not JSON, too large, not UTF-8, an unsupported
 * charset) as GraphQL over HTTP answers any request error: a GraphQL response whose error
 * carries `extensions.code`, in the media type the client accepts. Anything else (a fault of
 * the server, HTTP 5xx) is answered as an `INTERNAL_SERVER_ERROR`, without its details.
 */
export function answerRequestError(
  error: { status?: number; type?: string; message: string },
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const refusal =
    error.status !== undefined && error.status < 500
      ? describe(error)
      : { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' };
  const type =
    accepts(request).type(['application/graphql-response+json', 'application/json']) ||
    'application/json';
  response.statusCode = refusal.status;
  response.setHeader('content-type', `${type}; charset=utf-8`);
  response.end(
    JSON.stringify({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] }),
  );
}
