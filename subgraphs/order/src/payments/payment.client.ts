import { IdentityAsserter, identityHeader, type ServiceKey } from '@baedal/identity';

export interface ChargeRequest {
  readonly orderId: string;
  readonly customerId: string;
  readonly amountWon: number;
  readonly cardToken: string;
}

export type ChargeResult =
  | { readonly status: 'CAPTURED'; readonly paymentId: string }
  | { readonly status: 'DECLINED'; readonly paymentId: string; readonly declineReason: string };

/**
 * The payment subgraph could not tell whether the order was charged: it did not answer in
 * time, could not be reached, or failed on its side (HTTP 5xx). The order waits for payment.
 */
export class PaymentUnavailableError extends Error {
  override name = 'PaymentUnavailableError';
}

/**
 * The synchronous call to the payment subgraph's internal charge endpoint, one of the two
 * places where subgraphs talk directly instead of by events. Charges are idempotent per
 * order on the payment side, so a retry never charges twice. Rejects with a
 * `PaymentUnavailableError` when the payment subgraph does not answer within `timeoutMs`,
 * cannot be reached or answers HTTP 5xx. Any other answer but HTTP 200 (a 4xx: this service
 * sent a request the endpoint refuses) is a bug and rejects with a plain `Error`.
 */
export class PaymentClient {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #identity: IdentityAsserter;

  /** `signingKey`: this subgraph's private key, which the payment subgraph trusts. */
  constructor(options: { paymentUrl: string; timeoutMs: number; signingKey: ServiceKey }) {
    this.#url = new URL('/internal/charges', options.paymentUrl).toString();
    this.#timeoutMs = options.timeoutMs;
    this.#identity = new IdentityAsserter({
      issuer: 'order',
      audience: 'payment',
      key: options.signingKey,
    });
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const identity = await this.#identity.assert({ id: request.customerId, role: 'CUSTOMER' });
    let status: number;
    let body: string;
    try {
      const response = await fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [identityHeader]: identity },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      status = response.status;
      body = await response.text();
    } catch (error) {
      throw new PaymentUnavailableError('The payment subgraph did not answer.', { cause: error });
    }
    if (status >= 500) {
      throw new PaymentUnavailableError(`The payment subgraph answered ${status}: ${body}`);
    }
    if (status !== 200)
      throw new Error(`The payment subgraph refused the charge (${status}): ${body}`);
    return JSON.parse(body) as ChargeResult;
  }
}
