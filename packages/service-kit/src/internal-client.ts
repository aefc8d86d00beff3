import { DomainError, type ErrorCode } from '@baedal/domain';
import { inSpan, traceCarrier } from '@baedal/telemetry';
import { SpanKind } from '@opentelemetry/api';
import CircuitBreaker from 'opossum';
import { z } from 'zod';
import { httpStatus } from './json-route.js';
import { currentRequestId, requestIdHeader } from './request-scope.js';

/** How a client's circuit breaker decides that the other service is failing. */
export interface BreakerOptions {
  /** Share of failed requests (0..100) in the last 10 s that opens the breaker. */
  readonly errorThresholdPercent: number;
  /** Requests in the last 10 s before the breaker may open at all. */
  readonly minimumRequests: number;
  /** How long an open breaker refuses requests before it lets one through to try again. */
  readonly resetTimeoutMs: number;
}

export interface InternalClientOptions {
  /** The service called, for messages. */
  readonly service: string;
  readonly baseUrl: string;
  /** How long a request may take before its outcome counts as unknown. */
  readonly timeoutMs: number;
  readonly breaker: BreakerOptions;
}

/**
 * The other service could not say what happened: it did not answer within the timeout, could
 * not be reached, or failed (HTTP 5xx); or it was not asked at all because its circuit
 * breaker is open (`notAsked`). A request that was sent may still have taken effect.
 */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';

  constructor(
    readonly service: string,
    /** True when the breaker was open: the request was never sent. */
    readonly notAsked: boolean,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const errorBody = z.object({
  error: z.looseObject({ code: z.string(), message: z.string() }),
});

/**
 * A JSON client for another service's internal endpoints (see `jsonRoute`), behind a circuit
 * breaker (opossum). Answers are validated against the contract's schema on receipt.
 *
 * - HTTP 200: the answer, parsed with the given schema (a malformed one is a bug: `Error`).
 * - An expected refusal (4xx with `{ error: { code, ... } }`): rethrown as the `DomainError`
 *   of that code, with its details; the breaker does not count it as a failure.
 * - Timeout, network error, HTTP 5xx, or an open breaker: `ServiceUnavailableError`.
 *
 * Each request has its own timeout (an `AbortSignal`): opossum's own timeout and abort
 * controller are shared by every call of a breaker, which would cancel concurrent requests
 * together. Each is a client span, whose W3C `traceparent` it sends, and carries the id of
 * the request being served (`x-request-id`), so that the other service's logs and spans
 * join this request's.
 */
export class InternalClient implements Disposable {
  readonly #options: InternalClientOptions;
  readonly #breaker: CircuitBreaker<[URL, unknown, Record<string, string>], unknown>;

  constructor(options: InternalClientOptions) {
    this.#options = options;
    this.#breaker = new CircuitBreaker(this.#send.bind(this), {
      timeout: false,
      errorThresholdPercentage: options.breaker.errorThresholdPercent,
      volumeThreshold: options.breaker.minimumRequests,
      resetTimeout: options.breaker.resetTimeoutMs,
      errorFilter: (error: unknown) => error instanceof DomainError,
    });
  }

  /**
   * POSTs `body` as JSON to `path`, with `headers` (say, an identity assertion), and answers
   * the parsed answer (see the class).
   */
  async post<Answer>(
    path: string,
    body: unknown,
    answer: z.ZodType<Answer>,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const { service, baseUrl } = this.#options;
    const url = new URL(path, baseUrl);
    const attributes = {
      'http.request.method': 'POST',
      'url.full': url.href,
      'peer.service': service,
    };
    return inSpan(`POST ${service} ${path}`, { kind: SpanKind.CLIENT, attributes }, async () => {
      let json: unknown;
      try {
        json = await this.#breaker.fire(url, body, headers);
      } catch (error) {
        if ((error as { code?: string }).code === 'EOPENBREAKER') {
          throw new ServiceUnavailableError(
            service,
            true,
            `The ${service} service is failing; it was not asked.`,
          );
        }
        throw error;
      }
      return answer.parse(json);
    });
  }

  /** Whether the breaker refuses requests now (open) or lets them through (closed, half-open). */
  get open(): boolean {
    return this.#breaker.opened;
  }

  [Symbol.dispose](): void {
    this.#breaker.shutdown();
  }

  async #send(url: URL, body: unknown, headers: Record<string, string>): Promise<unknown> {
    const { service, timeoutMs } = this.#options;
    const requestId = currentRequestId();
    let status: number;
    let text: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...headers,
          ...traceCarrier(),
          ...(requestId && { [requestIdHeader]: requestId }),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw new ServiceUnavailableError(service, false, `The ${service} service did not answer.`, {
        cause: error,
      });
    }
    if (status >= 500) {
      throw new ServiceUnavailableError(
        service,
        false,
        `The ${service} service answered ${status}: ${text}`,
      );
    }
    const json: unknown = JSON.parse(text);
    if (status === 200) return json;
    const refusal = errorBody.safeParse(json);
    if (refusal.success && refusal.data.error.code in httpStatus) {
      const { code, message, ...details } = refusal.data.error;
      throw new DomainError(code as ErrorCode, message, details);
    }
    throw new Error(`The ${service} service refused the request (${status}): ${text}`);
  }
}
