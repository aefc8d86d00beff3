import {
  type TicketCancellationRequest,
  ticketCancellationRequest,
  ticketCancellationsPath,
} from '@baedal/contracts';
import { BadUserInputError } from '@baedal/domain';
import type { IdentityVerifier } from '@baedal/identity';
import { jsonRoute, type Logger, type SubgraphParts, verifiedCaller } from '@baedal/service-kit';
import type { Tx } from '../db.js';
import type { Loaders } from '../loaders.js';
import type { CancelTicket } from './cancel-ticket.command.js';

/** The only service that may ask the kitchen to cancel a ticket. */

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
        return cancelTicket.execute(caller.viewer, parseRequest(request.body));
      }),
    );
  };
}

function parseRequest(body: unknown): TicketCancellationRequest {
  const result = ticketCancellationRequest.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new BadUserInputError(issue.path.join('.') || 'body', issue.message);
}
