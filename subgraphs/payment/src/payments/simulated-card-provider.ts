import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db.js';
import type { SimulatedCardOperation } from '../generated/prisma/client.js';
import type {
  CardChargeAnswer,
  CardChargeRequest,
  CardProvider,
  CardRefundRequest,
} from './card-provider.js';

/** How the simulated provider behaves, from configuration (`SIMULATED_CARD_*`). */
export interface SimulatedCardOptions {
  /** Delay of every answer. */
  readonly latencyMs: number;
  /** Delay of the answer to the first charge of `tok_slow`. */
  readonly slowMs: number;
  /** Unreachable: every call fails and nothing is charged. */
  readonly outage: boolean;
}

/** The token of a card that its issuer declines. */
export const declinedCardToken = 'tok_declined';
/** The token of a card that is charged at once but whose answer comes late. */
export const slowCardToken = 'tok_slow';
const declineReason = 'The card was declined by its issuer.';

/** The simulated provider is down (`SIMULATED_CARD_OUTAGE`): nothing was charged. */
export class CardProviderUnreachableError extends Error {
  override name = 'CardProviderUnreachableError';
}

/**
 * A deterministic card provider for development, tests and demos: no money ever moves, but it
 * keeps books as a real provider does, so that the payment subgraph's handling of repeats,
 * late answers and outages can be seen working. Its behaviour is chosen by the card token and
 * by configuration, never by code:
 *
 * - `tok_declined` is declined; any other token is approved.
 * - `tok_slow` is charged at once, but the answer to that first charge comes
 *   `SIMULATED_CARD_SLOW_MS` later: a timeout or a crash during the wait leaves the money
 *   taken and the attempt's outcome unknown to the payment subgraph.
 * - `SIMULATED_CARD_OUTAGE=true`: every call fails without charging (unreachable).
 * - `SIMULATED_CARD_LATENCY_MS`: every answer waits that long.
 *
 * The books are the `simulated_card_operation` table, one row per idempotency key, written
 * by the provider in its own statement (never in the payment's transactions, as a real
 * provider's books are not): a repeated key is answered, at once, with the first answer, and
 * never moves money twice. A key repeated for another operation or amount is refused, as a
 * real provider refuses it.
 */
export class SimulatedCardProvider implements CardProvider {
  constructor(
    private readonly db: Db,
    private readonly options: SimulatedCardOptions,
  ) {}

  async charge(request: CardChargeRequest, signal: AbortSignal): Promise<CardChargeAnswer> {
    this.#reach(signal);
    const approved = request.cardToken !== declinedCardToken;
    const { operation, first } = await this.#book({
      idempotencyKey: request.idempotencyKey,
      kind: 'charge',
      amountWon: request.amountWon,
      approved,
      declineReason: approved ? null : declineReason,
    });
    if (first && request.cardToken === slowCardToken)
      await sleep(this.options.slowMs, null, { signal });
    await this.#answer(signal);
    return operation.approved
      ? { approved: true }
      : { approved: false, reason: operation.declineReason ?? declineReason };
  }

  async refund(request: CardRefundRequest, signal: AbortSignal): Promise<void> {
    this.#reach(signal);
    const charge = await this.db.simulatedCardOperation.findUnique({
      where: { idempotencyKey: request.chargeKey },
    });
    if (charge?.kind !== 'charge' || !charge.approved || charge.amountWon < request.amountWon) {
      throw new Error(
        `No approved charge ${request.chargeKey} of ${request.amountWon} won to refund.`,
      );
    }
    await this.#book({
      idempotencyKey: request.idempotencyKey,
      kind: 'refund',
      amountWon: request.amountWon,
      approved: true,
      declineReason: null,
    });
    await this.#answer(signal);
  }

  #reach(signal: AbortSignal): void {
    signal.throwIfAborted();
    if (this.options.outage) throw new CardProviderUnreachableError('The card provider is down.');
  }

  /** Records the operation under its key unless the key is known; answers the recorded one. */
  async #book(
    operation: Omit<SimulatedCardOperation, 'createdAt'>,
  ): Promise<{ operation: SimulatedCardOperation; first: boolean }> {
    const { count } = await this.db.simulatedCardOperation.createMany({
      data: [operation],
      skipDuplicates: true,
    });
    const recorded = await this.db.simulatedCardOperation.findUniqueOrThrow({
      where: { idempotencyKey: operation.idempotencyKey },
    });
    if (recorded.kind !== operation.kind || recorded.amountWon !== operation.amountWon) {
      throw new Error(
        `The key ${operation.idempotencyKey} was used for a ${recorded.kind} of ${recorded.amountWon} won.`,
      );
    }
    return { operation: recorded, first: count === 1 };
  }

  async #answer(signal: AbortSignal): Promise<void> {
    if (this.options.latencyMs > 0) await sleep(this.options.latencyMs, null, { signal });
  }
}
