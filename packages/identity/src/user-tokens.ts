import { isCleanId, isRole, type Role, UnauthenticatedError } from '@baedal/domain';
import { errors, jwtVerify, SignJWT } from 'jose';

/** A signed-in person: `id` is the token's `sub`, `role` its `role` claim. */
export interface Viewer {
  readonly id: string;
  readonly role: Role;
}

export interface VerifiedViewer extends Viewer {
  /** When the token stops being valid; a live connection must end then. */
  readonly expiresAt: Date;
}

const issuer = 'baedal';
const audience = 'baedal-api';
/** User tokens and identity assertions are both HMAC-signed with a shared secret. */
export const algorithm = 'HS256';

export const keyOf = (secret: string) => new TextEncoder().encode(secret);

/**
 * Mints a bearer token for a person, as an identity provider would. Used by
 * `npm run token` and by tests; production tokens come from the real provider. Throws for an
 * id that `UserTokenVerifier` would refuse (over 100 characters, or with control characters).
 */
export async function mintUserToken(
  viewer: Viewer,
  secret: string,
  options: { expiresIn?: string | number } = {},
): Promise<string> {
  if (!isCleanId(viewer.id)) {
    throw new RangeError('A person id must have 1 to 100 characters and no control characters.');
  }
  return new SignJWT({ role: viewer.role })
    .setProtectedHeader({ alg: algorithm })
    .setSubject(viewer.id)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h')
    .sign(keyOf(secret));
}

/**
 * Verifies people's bearer tokens: signature (HS256), issuer, audience, expiry, and that
 * `sub` and `role` name a person in one of the four roles. `sub` must be an id the event
 * contracts can carry (1 to 100 characters, no control characters), or every change the
 * person makes would fail when its event is built. Failures are `UnauthenticatedError`s
 * whose message says what was wrong, never a stack trace.
 */
export class UserTokenVerifier {
  readonly #key: Uint8Array;

  constructor(secret: string) {
    this.#key = keyOf(secret);
  }

  async verify(token: string): Promise<VerifiedViewer> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        issuer,
        audience,
        algorithms: [algorithm],
        requiredClaims: ['sub', 'exp'],
      });
      if (!isRole(payload.role))
        throw new UnauthenticatedError('The token has no valid role claim.');
      if (!isCleanId(payload.sub!))
        throw new UnauthenticatedError('The token has no valid subject claim.');
      return { id: payload.sub!, role: payload.role, expiresAt: new Date(payload.exp! * 1000) };
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      if (error instanceof errors.JWTExpired)
        throw new UnauthenticatedError('The token has expired.');
      throw new UnauthenticatedError('The token is not valid.');
    }
  }
}
