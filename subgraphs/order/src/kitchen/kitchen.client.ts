import {
  type TicketCancellationAnswer,
  type TicketCancellationRequest,
  ticketCancellationAnswer,
  ticketCancellationsPath,
} from '@baedal/contracts';
import { IdentityAsserter, identityHeader, type Viewer } from '@baedal/identity';
import { InternalClient } from '@baedal/service-kit';
import type { InternalCallOptions } from '../payments/payment.client.js';

/**
 * The synchronous question to the kitchen subgraph, the second place where subgraphs talk
 * directly: "may this order still be canceled?". The kitchen ticket decides; a cancel that
 * lost to "cooking started" is refused (`INVALID_TRANSITION` with the ticket's status). When
 * the kitchen cannot be asked, `ServiceUnavailableError`.
 */
export class KitchenClient implements Disposable {
  readonly #client: InternalClient;
  readonly #identity: IdentityAsserter;

  constructor(kitchenUrl: string, options: InternalCallOptions) {
    const { timeoutMs, breaker, signingKey } = options;
    this.#identity = new IdentityAsserter({
      issuer: 'order',
      audience: 'kitchen',
      key: signingKey,
    });
    this.#client = new InternalClient({
      service: 'kitchen',
      baseUrl: kitchenUrl,
      timeoutMs,
      breaker,
    });
  }

  /** Asks the kitchen to cancel the order's ticket on behalf of `by` (its customer). */
  async cancelTicket(
    request: TicketCancellationRequest,
    by: Viewer,
  ): Promise<TicketCancellationAnswer> {
    const identity = await this.#identity.assert(by);
    return this.#client.post(ticketCancellationsPath, request, ticketCancellationAnswer, {
      [identityHeader]: identity,
    });
  }

  [Symbol.dispose](): void {
    this.#client[Symbol.dispose]();
  }
}
