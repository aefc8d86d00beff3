import { isRole, UnauthenticatedError } from '@baedal/domain';
import { errors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import type { ServiceKey } from './service-keys.js';
import type { Viewer } from './user-tokens.js';

/**
 * The header that carries an identity assertion from one service (the router, or the order
 * subgraph for an internal endpoint) to another. Services trust no other source of identity.
 */
export const identityHeader = 'x-baedal-identity';

/** Who sent a request to a service, and on whose behalf (`null`: nobody signed in). */
export interface Caller {
  readonly service: string;
  readonly viewer: Viewer | null;
}

const algorithm = 'EdDSA';
/** A type of its own, so that no other token signed with the same key passes for one. */
const tokenType = 'baedal-identity+jwt';
/** Long enough for one request, or the calls of one gateway plan; short-lived if stolen. */
const defaultLifetimeSeconds = 15;

export interface AsserterOptions {
  /** The calling service, which holds `key` (`router`, `order`). */
  readonly issuer: string;
  /** The one service the assertions are for (`order`, `payment`, ...). */
  readonly audience: string;
  /** The issuer's private key (`parsePrivateKey`). */
  readonly key: ServiceKey;
  /**
   * How long an assertion lives. Default 15 s; longer only for tools that must hand a fixed
   * header to software of their own (the gateway benchmark's peers).
   */
  readonly lifetimeSeconds?: number;
}

/**
 * Signs assertions "`issuer` calls `audience` on behalf of person P" with the issuer's private
 * key: an Ed25519 JWT (`iss`, `aud`, `sub`, `role`, `iat`, `exp`) that lives 15 seconds and is
 * accepted by `audience` alone. A service makes one asserter per service it calls. Signing
 * costs about 0.1 ms, so an assertion is cached per person and reused for a third of its
 * life (five seconds), so that a cached one always has two thirds left.
 */
export class IdentityAsserter {
  readonly #options: AsserterOptions;
  readonly #lifetimeSeconds: number;
  readonly #cache: LRUCache<string, string>;

  constructor(options: AsserterOptions) {
    this.#options = options;
    this.#lifetimeSeconds = options.lifetimeSeconds ?? defaultLifetimeSeconds;
    this.#cache = new LRUCache({ max: 10_000, ttl: (this.#lifetimeSeconds / 3) * 1000 });
  }

  /** An assertion for `viewer` (`null`: a request without a signed-in person). */
  async assert(viewer: Viewer | null): Promise<string> {
    const cacheKey = viewer ? `${viewer.role}:${viewer.id}` : '';
    const cached = this.#cache.get(cacheKey);
    if (cached) return cached;
    const { issuer, audience, key } = this.#options;
    const jwt = new SignJWT(viewer ? { role: viewer.role } : {})
      .setProtectedHeader({ alg: algorithm, kid: key.kid, typ: tokenType })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${this.#lifetimeSeconds}s`);
    if (viewer) jwt.setSubject(viewer.id);
    const token = await jwt.sign(key.key);
    this.#cache.set(cacheKey, token);
    return token;
  }
}

export interface VerifierOptions {
  /** The one service whose assertions are accepted (`router`, `order`). */
  readonly issuer: string;
  /** This service: assertions meant for another are refused. */
  readonly audience: string;
  /**
   * The issuer's public keys (`parsePublicKey`): one, or two while its key is rotated. An
   * assertion names its key (`kid`), so no key is tried in vain.
   */
  readonly keys: readonly ServiceKey[];
}

/**
 * Verifies identity assertions in the service they are for: signature by one of the
 * issuer's public keys, issuer, audience, type and expiry. Refusals are
 * `UnauthenticatedError`s that do not say which check failed. Verified assertions are cached
 * until they expire, since the same one arrives on many requests.
 */
export class IdentityVerifier {
  readonly #options: VerifierOptions;
  readonly #keys: ReadonlyMap<string, ServiceKey['key']>;
  readonly #cache = new LRUCache<string, Caller>({ max: 10_000 });

  constructor(options: VerifierOptions) {
    if (options.keys.length === 0) throw new RangeError('An identity verifier needs a key.');
    this.#options = options;
    this.#keys = new Map(options.keys.map(({ kid, key }) => [kid, key]));
  }

  /** The caller `token` asserts; throws `UnauthenticatedError` if it is missing or not valid. */
  async verify(token: string | undefined): Promise<Caller> {
    if (!token) {
      throw new UnauthenticatedError(
        `Requests here must come from ${this.#options.issuer}, with an identity assertion.`,
      );
    }
    return this.#cache.get(token) ?? (await this.#verify(token));
  }

  async #verify(token: string): Promise<Caller> {
    const { issuer, audience } = this.#options;
    try {
      const { payload } = await jwtVerify(
        token,
        ({ kid }) => {
          const key = kid === undefined ? undefined : this.#keys.get(kid);
          if (!key) throw new errors.JWKSNoMatchingKey();
          return key;
        },
        {
          issuer,
          audience,
          typ: tokenType,
          algorithms: [algorithm],
          requiredClaims: ['iat', 'exp'],
        },
      );
      const viewer =
        payload.sub && isRole(payload.role) ? { id: payload.sub, role: payload.role } : null;
      const caller = { service: issuer, viewer };
      // A TTL of zero would keep it forever: an assertion about to expire is not cached.
      const ttl = payload.exp! * 1000 - Date.now();
      if (ttl > 0) this.#cache.set(token, caller, { ttl });
      return caller;
    } catch {
      throw new UnauthenticatedError('The identity assertion is not valid here.');
    }
  }
}
