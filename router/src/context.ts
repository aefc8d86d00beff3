import { UnauthenticatedError } from '@baedal/domain';
import type { UserTokenVerifier, VerifiedViewer } from '@baedal/identity';
import { GraphQLError } from 'graphql';

export interface RouterContext {
  /** The person making the request; null when no token was sent. */
  readonly viewer: VerifiedViewer | null;
  /** What made the request: a client over HTTP, or the live layer resolving a payload. */
  readonly origin: 'http' | 'live';
}

/**
 * The viewer of a request from its `Authorization` header. No header means an anonymous
 * viewer (browsing stores needs no account); a header that is not a valid bearer token is
 * refused with `UNAUTHENTICATED` (HTTP 401) rather than silently treated as anonymous.
 */
export async function viewerFromAuthorization(
  authorization: string | undefined,
  verifier: UserTokenVerifier,
): Promise<VerifiedViewer | null> {
  if (!authorization) return null;
  try {
    const token = bearerToken(authorization);
    if (!token)
      throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".');
    return await verifier.verify(token);
  } catch (error) {
    throw new GraphQLError((error as Error).message, {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    });
  }
}

/** The token of an `Authorization` value of the form `Bearer <token>`, if it is one. */
export function bearerToken(value: unknown): string | undefined {
  return typeof value === 'string' ? /^Bearer\s+(\S+)$/i.exec(value)?.[1] : undefined;
}
