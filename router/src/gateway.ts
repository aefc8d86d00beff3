import { STATUS_CODES } from 'node:http';
import {
  ApolloGateway,
  type GraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import { IdentityAsserter, identityHeader, type ServiceKey } from '@baedal/identity';
import { readSupergraphSdl } from '@baedal/schema';
import { currentRequestId, requestIdHeader } from '@baedal/service-kit';
import { traceCarrier } from '@baedal/telemetry';
import { GraphQLError, OperationTypeNode } from 'graphql';
import { Pool } from 'undici';
import type { RouterContext } from './context.js';

type SubgraphResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** A subgraph's answer as it came: parsed by each request that waited for it. */
interface Answer {
  readonly status: number;
  readonly text: string;
}

/**
 * The gateway's client of one subgraph. Each request carries an identity assertion for the
 * request's viewer, signed with the router's private key for that subgraph alone (the person's
 * own bearer token never leaves the router). It also carries the client request's id
 * (`x-request-id`) and, with tracing on, the W3C `traceparent` of the gateway's fetch span, so
 * that the subgraph's logs and spans join the request's.
 *
 * Written here instead of Apollo's `RemoteGraphQLDataSource` for its cost, the largest part
 * of the router's own: requests go over undici's keep-alive pool (`Pool.request`: no web
 * streams, no fetch `Request`/`Headers` objects), and identical queries under way at once
 * (same text, variables and identity) share one subgraph request, as Hive Gateway and Apollo
 * Router do. Mutations are never shared. A non-2xx answer fails the fetch with the error
 * `RemoteGraphQLDataSource` gives (`"401: Unauthorized"`, with the status's code).
 */
class SubgraphClient implements GraphQLDataSource<RouterContext> {
  readonly #url: URL;
  readonly #pool: Pool;
  readonly #identity: IdentityAsserter;
  readonly #onRequest: (context: RouterContext) => void;
  readonly #inFlight = new Map<string, Promise<Answer>>();

  constructor(
    url: string,
    identity: IdentityAsserter,
    onRequest: (context: RouterContext) => void,
  ) {
    this.#url = new URL(url);
    this.#pool = new Pool(this.#url.origin);
    this.#identity = identity;
    this.#onRequest = onRequest;
  }

  async process(
    options: GraphQLDataSourceProcessOptions<RouterContext>,
  ): Promise<SubgraphResponse> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    await this.willSendRequest(options, headers);
    const { query, variables, operationName } = options.request;
    const body = JSON.stringify({ query, variables, operationName });
    const answer = await (isQuery(options)
      ? this.#shared(`${headers[identityHeader]}\n${body}`, headers, body)
      : this.#send(headers, body));
    if (answer.status < 200 || answer.status > 299) throw this.#error(answer);
    return JSON.parse(answer.text) as SubgraphResponse;
  }

  /**
   * Sets the headers of one subgraph request (the identity assertion); whatever else each
   * request carries (trace context) belongs here too. Shared requests go with the headers of
   * the first.
   */
  async willSendRequest(
    { context }: GraphQLDataSourceProcessOptions<RouterContext>,
    headers: Record<string, string>,
  ): Promise<void> {
    // The gateway's own requests (health checks) come with an empty context.
    const { viewer = null, origin = 'http' } = context as Partial<RouterContext>;
    this.#onRequest({ viewer, origin });
    headers[identityHeader] = await this.#identity.assert(viewer);
    const requestId = currentRequestId();
    if (requestId) headers[requestIdHeader] = requestId;
    Object.assign(headers, traceCarrier());
  }

  /** Closes the pool's connections. */
  close(): Promise<void> {
    return this.#pool.close();
  }

  #shared(key: string, headers: Record<string, string>, body: string): Promise<Answer> {
    const underWay = this.#inFlight.get(key);
    if (underWay) return underWay;
    const answer = this.#send(headers, body).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, answer);
    return answer;
  }

  async #send(headers: Record<string, string>, body: string): Promise<Answer> {
    const response = await this.#pool.request({
      path: this.#url.pathname,
      method: 'POST',
      headers,
      body,
    });
    return { status: response.statusCode, text: await response.body.text() };
  }

  #error({ status, text }: Answer): GraphQLError {
    const statusText = STATUS_CODES[status] ?? '';
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: the text itself.
    }
    return new GraphQLError(`${status}: ${statusText}`, {
      extensions: {
        ...(status === 401 && { code: 'UNAUTHENTICATED' }),
        ...(status === 403 && { code: 'FORBIDDEN' }),
        response: { url: this.#url.href, status, statusText, body },
      },
    });
  }
}

/**
 * Whether a subgraph request may be shared: one made for a client's query, whose fetches are
 * all queries. A mutation's are never shared, nor the gateway's own requests (health checks),
 * which come without a client's operation. The fetch's own document is not at hand: the query
 * planner keeps it only with `exposeDocumentNodeInFetchNode`, off by default.
 */
function isQuery(options: GraphQLDataSourceProcessOptions<RouterContext>): boolean {
  const operation =
    'incomingRequestContext' in options ? options.incomingRequestContext.operation : undefined;
  return operation?.operation === OperationTypeNode.QUERY;
}

export interface GatewayOptions {
  /** Where each subgraph listens, replacing the URLs composed into the supergraph. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** The router's private key, which signs the identity assertions subgraphs verify. */
  readonly signingKey: ServiceKey;
  /** Called before every request to a subgraph (for metrics). */
  readonly onSubgraphRequest: (subgraph: string, context: RouterContext) => void;
}

/**
 * Apollo's gateway over the checked-in supergraph (no managed federation, no Uplink), and a
 * way to close its subgraph connections.
 */
export function createGateway({ subgraphUrls, signingKey, onSubgraphRequest }: GatewayOptions): {
  gateway: ApolloGateway;
  close: () => Promise<void>;
} {
  const clients: SubgraphClient[] = [];
  const gateway = new ApolloGateway({
    supergraphSdl: readSupergraphSdl(),
    buildService: ({ name, url }) => {
      const target = subgraphUrls[name] ?? url;
      if (!target) throw new Error(`No URL for subgraph ${name}.`);
      const identity = new IdentityAsserter({ issuer: 'router', audience: name, key: signingKey });
      const client = new SubgraphClient(target, identity, (context) =>
        onSubgraphRequest(name, context),
      );
      clients.push(client);
      return client;
    },
  });
  return {
    gateway,
    close: async () => {
      await Promise.all(clients.map((client) => client.close()));
    },
  };
}
