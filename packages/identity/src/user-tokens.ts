import { webcrypto } from 'node:crypto';
import { isCleanId, isRole, type Role, UnauthenticatedError } from '@baedal/domain';
import { decodeJwt, errors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';

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
/** User tokens are HMAC-signed with the secret the identity provider shares with the router. */
const algorithm = 'HS256';
/** How far ahead of the router's clock a token may say it was issued (clock skew). */
const issuedAtToleranceSeconds = 60;

/** The longest a bearer token may live, unless configured otherwise: one day. */
export const defaultMaxTokenLifetimeSeconds = 24 * 60 * 60;

const keyOf = (secret: string) => new TextEncoder().encode(secret);

/** `86400` as "24 h", `90` as "90 s". */
const duration = (seconds: number) =>
  seconds % 3600 === 0 ? `${seconds / 3600} h` : `${seconds} s`;

/**
 * Mints a bearer token for a person, as an identity provider would. Used by
 * `npm run token` and by tests; production tokens come from the real provider. `expiresIn`
 * is as jose takes it (`'12h'`, `'30 min'`; default 12 hours). Throws a `RangeError` for a
 * token that `UserTokenVerifier` would refuse: an id over 100 characters or with control
 * characters, or a lifetime over `maxLifetimeSeconds` (default one day).
 */
export async function mintUserToken(
  viewer: Viewer,
  secret: string,
  options: { expiresIn?: string | number; maxLifetimeSeconds?: number } = {},
): Promise<string> {
  if (!isCleanId(viewer.id)) {
    throw new RangeError('A person id must have 1 to 100 characters and no control characters.');
  }
  const token = await new SignJWT({ role: viewer.role })
    .setProtectedHeader({ alg: algorithm })
    .setSubject(viewer.id)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '12h')
    .sign(keyOf(secret));
  const { iat, exp } = decodeJwt(token);
  const maxLifetimeSeconds = options.maxLifetimeSeconds ?? defaultMaxTokenLifetimeSeconds;
  if (exp! - iat! > maxLifetimeSeconds) {
    throw new RangeError(`A token may live at most ${duration(maxLifetimeSeconds)}.`);
  }
  return token;
}

/**
 * Verifies people's bearer tokens: signature (HS256), issuer, audience, expiry, a lifetime
 * (`exp - iat`) of at most `maxLifetimeSeconds` (default one day) from an `iat` that is not
 * in the future, and that `sub` and `role` name a person in one of the four roles. `sub`
 * must be an id the event contracts can carry (1 to 100 characters, no control characters),
 * or every change the person makes would fail when its event is built. Failures are
 * `UnauthenticatedError`s whose message says what was wrong, never a stack trace.
 *
 * A client sends the same token with every request, so a verified token is kept until it
 * expires (the most recently used `cacheSize`, default 10,000) and not verified again.
 * Refused tokens are not kept.
 */
export class UserTokenVerifier {
  /**
   * Imported once: given the secret's bytes, jose imports a WebCrypto key on every
   * verification, a third of what verifying a new token costs.
   */
  readonly #key: Promise<webcrypto.CryptoKey>;
  readonly #maxLifetimeSeconds: number;
  readonly #verified: LRUCache<string, VerifiedViewer>;

  constructor(secret: string, options: { maxLifetimeSeconds?: number; cacheSize?: number } = {}) {
    this.#key = webcrypto.subtle.importKey(
      'raw',
      keyOf(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    this.#maxLifetimeSeconds = options.maxLifetimeSeconds ?? defaultMaxTokenLifetimeSeconds;
    this.#verified = new LRUCache({ max: options.cacheSize ?? 10_000 });
  }

  async verify(token: string): Promise<VerifiedViewer> {
    const cached = this.#verified.get(token);
    if (cached) return cached;
    const viewer = await this.#verify(token);
    // Kept until it expires (a TTL of zero would keep it forever: one expiring now is not).
    const ttl = viewer.expiresAt.getTime() - Date.now();
    if (ttl > 0) this.#verified.set(token, viewer, { ttl });
    return viewer;
  }

  async #verify(token: string): Promise<VerifiedViewer> {
    try {
      const { payload } = await jwtVerify(token, await this.#key, {
        issuer,
        audience,
        algorithms: [algorithm],
        requiredClaims: ['sub', 'iat', 'exp'],
      });
      if (payload.exp! - payload.iat! > this.#maxLifetimeSeconds) {
        throw new UnauthenticatedError(
          `The token lives longer than the ${duration(this.#maxLifetimeSeconds)} allowed.`,
        );
      }
      if (payload.iat! > Date.now() / 1000 + issuedAtToleranceSeconds)
        throw new UnauthenticatedError('The token says it was issued in the future.');
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
