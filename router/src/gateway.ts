import {
  ApolloGateway,
  type GraphQLDataSourceProcessOptions,
  RemoteGraphQLDataSource,
} from '@apollo/gateway';
import { IdentityAsserter, identityHeader, type ServiceKey } from '@baedal/identity';
import { readSupergraphSdl } from '@baedal/schema';
import { currentRequestId, requestIdHeader } from '@baedal/service-kit';
import { traceCarrier } from '@baedal/telemetry';
import type { RouterContext } from './context.js';

/**
 * Sends each subgraph request with an identity assertion for the request's viewer, signed
 * with the router's private key for that subgraph alone. The person's own bearer token never
 * leaves the router. It also carries the client request's id (`x-request-id`) and, with
 * tracing on, the W3C `traceparent` of the gateway's fetch span, so that the subgraph's logs
 * and spans join the request's.
 */
class IdentityAssertingDataSource extends RemoteGraphQLDataSource<RouterContext> {
  readonly #identity: IdentityAsserter;
  readonly #onRequest: (context: RouterContext) => void;

  constructor(
    url: string,
    identity: IdentityAsserter,
    onRequest: (context: RouterContext) => void,
  ) {
    // Node's own fetch (undici) instead of the gateway's default make-fetch-happen: about
    // 0.8 ms less per subgraph request, measured on loopback (see README, Performance).
    super({ url, fetcher: fetch });
    this.#identity = identity;
    this.#onRequest = onRequest;
  }

  override async willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<RouterContext>) {
    // The gateway's own requests (health checks) come with an empty context.
    const { viewer = null, origin = 'http' } = context as Partial<RouterContext>;
    this.#onRequest({ viewer, origin });
    const headers = request.http?.headers;
    headers?.set(identityHeader, await this.#identity.assert(viewer));
    const requestId = currentRequestId();
    if (requestId) headers?.set(requestIdHeader, requestId);
    for (const [name, value] of Object.entries(traceCarrier())) headers?.set(name, value);
  }
}

export interface GatewayOptions {
  /** Where each subgraph listens, replacing the URLs composed into the supergraph. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** The router's private key, which signs the identity assertions subgraphs verify. */
  readonly signingKey: ServiceKey;
  /** Called before every request to a subgraph (for metrics). */
  readonly onSubgraphRequest: (subgraph: string, context: RouterContext) => void;
}

/** Apollo's gateway over the checked-in supergraph (no managed federation, no Uplink). */
export function createGateway({
  subgraphUrls,
  signingKey,
  onSubgraphRequest,
}: GatewayOptions): ApolloGateway {
  return new ApolloGateway({
    supergraphSdl: readSupergraphSdl(),
    buildService: ({ name, url }) => {
      const target = subgraphUrls[name] ?? url;
      if (!target) throw new Error(`No URL for subgraph ${name}.`);
      const identity = new IdentityAsserter({ issuer: 'router', audience: name, key: signingKey });
      return new IdentityAssertingDataSource(target, identity, (context) =>
        onSubgraphRequest(name, context),
      );
    },
  });
}
