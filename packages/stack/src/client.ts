import { mintUserToken, type Viewer } from '@baedal/identity';
import { developmentSecrets } from '@baedal/service-kit';

export interface GraphQLResponse<Data> {
  readonly data?: Data | null;
  readonly errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
}

/** A bearer token for a person, signed with the development secret the stack uses. */
export const tokenFor = (viewer: Viewer) => mintUserToken(viewer, developmentSecrets.jwt);

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
