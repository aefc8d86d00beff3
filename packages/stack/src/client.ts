import { mintUserToken, type Viewer } from '@baedal/identity';
import { developmentSecrets } from '@baedal/service-kit';
import type { GraphQLResponse } from '@baedal/service-kit/testing';

/**
 * A bearer token for a person, signed with the development secret the stack uses; `options`
 * as for `mintUserToken` (such as a short `expiresIn`).
 */
export const tokenFor = (viewer: Viewer, options?: Parameters<typeof mintUserToken>[2]) =>
  mintUserToken(viewer, developmentSecrets.jwt, options);

/** Posts GraphQL operations to the router, with a bearer token when one is given. */
export function routerClient(url: string) {
  return async <Data = Record<string, never>>(
    token: string | null,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<GraphQLResponse<Data> & { status: number }> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token && { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as GraphQLResponse<Data>) };
  };
}

/**
 * Places a paid order of one item (default: a fried chicken at the Gangnam store) as the
 * customer whose token is given, delivered near that store; resolves with the order's id.
 * It selects what a client shows after ordering: the order-path benchmark times it.
 */
export async function placeDemoOrder(
  gql: ReturnType<typeof routerClient>,
  customerToken: string,
  { storeId = 'store-gangnam-chicken', menuItemId = 'gangnam-chicken-fried' } = {},
): Promise<string> {
  const response = await gql<{ placeOrder: { order: { id: string } } }>(
    customerToken,
    `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id status totalWon } } }`,
    {
      input: {
        storeId,
        items: [{ menuItemId, quantity: 1 }],
        deliveryAddress: { address: '152 Teheran-ro', location: { lat: 37.5006, lng: 127.0364 } },
        payment: { cardToken: 'tok_visa' },
      },
    },
  );
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!.placeOrder.order.id;
}
