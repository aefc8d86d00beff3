import { type ChargeAnswer, chargePath, chargeRequest } from '@baedal/contracts';
import type { IdentityVerifier } from '@baedal/identity';
import {
  jsonRoute,
  type Logger,
  parseJsonBody,
  type SubgraphParts,
  verifiedCaller,
} from '@baedal/service-kit';
import type { ChargeOrder } from './charge-order.command.js';

/**
 * `POST /internal/charges`, which the order subgraph calls synchronously to charge an order
 * (see `ChargeOrder` for the rules). Only the order service may call it: the
 * `x-baedal-identity` header must carry its assertion, signed with its own key, or the answer
 * is HTTP 401 `UNAUTHENTICATED`. The body is a `chargeRequest` of the contracts; an invalid
 * one is HTTP 400 `BAD_USER_INPUT` naming the `field`. The answer is a `chargeAnswer` (HTTP
 * 200; a decline or an unknown outcome is an answer, not an error); other refusals keep their
 * code (409 for `CONFLICT` and `INVALID_TRANSITION`, with `currentStatus`).
 */
export function chargeRoute(
  /** Verifies the order subgraph's assertions meant for this subgraph. */
  identity: IdentityVerifier,
  chargeOrder: ChargeOrder,
  logger: Logger,
): NonNullable<SubgraphParts<unknown, unknown>['routes']> {
  return (app) => {
    app.post(
      chargePath,
      jsonRoute(logger, async (request): Promise<ChargeAnswer> => {
        const caller = await verifiedCaller(identity, request);
        return chargeOrder.execute(caller.viewer, parseJsonBody(chargeRequest, request.body));
      }),
    );
  };
}
