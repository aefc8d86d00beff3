import { IdentityAsserter, identityHeader } from '@baedal/identity';

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
 * The synchronous call to the payment subgraph's internal charge endpoint, one of the two
 * places where subgraphs talk directly instead of by events. Charges are idempotent per
 * order on the payment side, so a retry never charges twice. Rejects when the payment
 * subgraph does not answer within `timeoutMs` or answers with an error.
 */
export class PaymentClient {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #identity: IdentityAsserter;

  constructor(options: { paymentUrl: string; timeoutMs: number; internalJwtSecret: string }) {
    this.#url = new URL('/internal/charges', options.paymentUrl).toString();
    this.#timeoutMs = options.timeoutMs;
    this.#identity = new IdentityAsserter(options.internalJwtSecret, 'order');
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const response = await fetch(this.#url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [identityHeader]: await this.#identity.assert({ id: request.customerId, role: 'CUSTOMER' }),
      },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    if (!response.ok)
      throw new Error(`The payment subgraph answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as ChargeResult;
  }
}
