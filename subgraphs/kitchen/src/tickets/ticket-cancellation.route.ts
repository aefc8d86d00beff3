import { ticketCancellationRequest, ticketCancellationsPath } from '@baedal/contracts';
import type { IdentityVerifier } from '@baedal/identity';
import {
  jsonRoute,
  type Logger,
  parseJsonBody,
  type SubgraphParts,
  verifiedCaller,
} from '@baedal/service-kit';
import type { Tx } from '../db.js';
import type { Loaders } from '../loaders.js';
import type { CancelTicket } from './cancel-ticket.command.js';

/**
 * `POST /internal/ticket-cancellations`, which the order subgraph calls synchronously when a
 * customer cancels an order (see `CancelTicket` for the rules). Only the order subgraph may
 * call it: the `x-baedal-identity` header must carry its assertion, or the answer is HTTP 401
 * `UNAUTHENTICATED`. The body is `ticketCancellationRequest` of the contracts; an invalid one
 * is HTTP 400 `BAD_USER_INPUT` naming the `field`. A cancel that wins answers HTTP 200
 * `{ status: 'CANCELED' }`; one that loses HTTP 409 `INVALID_TRANSITION` with the ticket's
 * `currentStatus`; another customer's order HTTP 403 `FORBIDDEN`.
 */
export function ticketCancellationRoute(dependencies: {
  /** Verifies the order subgraph's assertions meant for the kitchen: nobody else may cancel. */
  readonly identity: IdentityVerifier;
  readonly cancelTicket: CancelTicket;
  readonly logger: Logger;
}): NonNullable<SubgraphParts<Loaders, Tx>['routes']> {
  const { identity, cancelTicket, logger } = dependencies;
  return (app) => {
    app.post(
      ticketCancellationsPath,
      jsonRoute(logger, async (request) => {
        const caller = await verifiedCaller(identity, request);
        const input = parseJsonBody(ticketCancellationRequest, request.body);
        return cancelTicket.execute(caller.viewer, input);
      }),
    );
  };
}
