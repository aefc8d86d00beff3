import { BadUserInputError, maxIdLength, maxOrderTotalWon, systemActor } from '@baedal/domain';
import { type IdentityVerifier, identityHeader } from '@baedal/identity';
import { jsonRoute, type Logger, type SubgraphParts } from '@baedal/service-kit';
import { z } from 'zod';
import type { PaymentContext } from '../context.js';
import type { Tx } from '../db.js';
import type { ChargeOrder } from './charge-order.command.js';

/** Where the order subgraph asks for an order to be charged. */
export const chargesPath = '/internal/charges';

const chargeBody = z.object({
  orderId: z.uuid(),
  // As long as the `paymentCaptured` contract allows a customer id to be.
  customerId: z.string().min(1).max(maxIdLength),
  // The order side refuses to place a larger order, so a larger amount is a bug there.
  amountWon: z.number().int().positive().max(maxOrderTotalWon),
  cardToken: z.string().min(1).max(200),
});

/**
 * `POST /internal/charges`, which the order subgraph calls synchronously to charge an order
 * (see `chargeOrder` for the rules). Only the order service may call it: the
 * `x-baedal-identity` header must carry its assertion, signed with its own key, or the
 * answer is HTTP 401
 * `UNAUTHENTICATED`. The body is JSON `{ orderId, customerId, amountWon, cardToken }`; an
 * invalid one is HTTP 400 `BAD_USER_INPUT` naming the `field`. A charge answers HTTP 200
 * `{ paymentId, status: 'CAPTURED' | 'DECLINED', declineReason }` (a decline is an answer,
 * not an error). Other expected failures keep their code (409 for `CONFLICT` and
 * `INVALID_TRANSITION`).
 */
export function chargeRoute(dependencies: {
  /** Verifies the order subgraph's assertions meant for this subgraph. */
  readonly identity: IdentityVerifier;
  readonly charge: ChargeOrder;
  readonly logger: Logger;
}): NonNullable<SubgraphParts<PaymentContext, Tx>['routes']> {
  const { identity, charge, logger } = dependencies;
  return (app) => {
    app.post(
      chargesPath,
      jsonRoute(logger, async (request) => {
        const caller = await identity.verify(request.get(identityHeader));
        const payment = await charge(parseCharge(request.body), caller.viewer ?? systemActor);
        return {
          paymentId: payment.id,
          status: payment.status,
          declineReason: payment.declineReason,
        };
      }),
    );
  };
}

function parseCharge(body: unknown) {
  const result = chargeBody.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new BadUserInputError(issue.path.join('.') || 'body', issue.message);
}
