import { type ChargeAnswer, type ChargeRequest, chargeAnswer, chargePath } from '@baedal/contracts';
import { IdentityAsserter, identityHeader, type ServiceKey } from '@baedal/identity';
import { type BreakerOptions, InternalClient } from '@baedal/service-kit';

/** How this subgraph calls another's internal endpoint. */
export interface InternalCallOptions {
  readonly timeoutMs: number;
  readonly breaker: BreakerOptions;
  /** This subgraph's private key, which the called subgraph trusts for its internal endpoint. */
  readonly signingKey: ServiceKey;
}

/**
 * The synchronous call to the payment subgraph's charge endpoint, one of the two places where
 * subgraphs talk directly instead of by events, behind a circuit breaker: when payment is
 * slow or down, orders stop waiting for it (`ServiceUnavailableError`, with `notAsked` once
 * the breaker is open) and wait for payment instead. Charges are idempotent per attempt key
 * on the payment side, so a repeated request never charges twice.
 */
export class PaymentClient implements Disposable {
  readonly #client: InternalClient;
  readonly #identity: IdentityAsserter;

  constructor(paymentUrl: string, options: InternalCallOptions) {
    const { timeoutMs, breaker, signingKey } = options;
    this.#identity = new IdentityAsserter({
      issuer: 'order',
      audience: 'payment',
      key: signingKey,
    });
    this.#client = new InternalClient({
      service: 'payment',
      baseUrl: paymentUrl,
      timeoutMs,
      breaker,
    });
  }

  /** Charges an order (see `chargeRequest`) for its customer; answers what payment says. */
  async charge(request: ChargeRequest): Promise<ChargeAnswer> {
    const identity = await this.#identity.assert({ id: request.customerId, role: 'CUSTOMER' });
    return this.#client.post(chargePath, request, chargeAnswer, { [identityHeader]: identity });
  }

  [Symbol.dispose](): void {
    this.#client[Symbol.dispose]();
  }
}
