import { isRole, UnauthenticatedError } from '@baedal/domain';
import { jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { algorithm, keyOf, type Viewer } from './user-tokens.js';

/**
 * The header that carries an identity assertion from the router (or another service) to a
 * subgraph. Subgraphs trust no other source of identity.
 */
export const identityHeader = 'x-baedal-identity';

/** Who sent a request to a subgraph, and on whose behalf (`null`: nobody signed in). */
export interface Caller {
  readonly service: string;
  readonly viewer: Viewer | null;
}

const audience = 'baedal-subgraphs';
const lifetimeSeconds = 120;
/** Assertions are reused for half their life, so a cached one always has a minute left. */
const reuseMs = (lifetimeSeconds / 2) * 1000;

/**
 * Signs short-lived assertions ("service S calls on behalf of person P") with the secret
 * shared by the services. Signing costs about 0.1 ms, so an assertion is cached per person
 * and reused for a minute.
 */
export class IdentityAsserter {
  readonly #key: Uint8Array;
  readonly #service: string;
  readonly #cache = new LRUCache<string, string>({ max: 10_000, ttl: reuseMs });

  constructor(secret: string, service: string) {
    this.#key = keyOf(secret);
    this.#service = service;
  }

  async assert(viewer: Viewer | null): Promise<string> {
    const cacheKey = viewer ? `${viewer.role}:${viewer.id}` : '';
    const cached = this.#cache.get(cacheKey);
    if (cached) return cached;
    const jwt = new SignJWT(viewer ? { role: viewer.role } : {})
      .setProtectedHeader({ alg: algorithm })
      .setIssuer(this.#service)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${lifetimeSeconds}s`);
    if (viewer) jwt.setSubject(viewer.id);
    const token = await jwt.sign(this.#key);
    this.#cache.set(cacheKey, token);
    return token;
  }
}

/**
 * Verifies identity assertions in a subgraph. Verified assertions are cached until they
 * expire, since the same one arrives on many requests.
 */
export class IdentityVerifier {
  readonly #key: Uint8Array;
  readonly #cache = new LRUCache<string, Caller>({ max: 10_000 });

  constructor(secret: string) {
    this.#key = keyOf(secret);
  }

  /** Throws `UnauthenticatedError` unless `token` is a valid assertion from one of `services`. */
  async verify(token: string | undefined, services: readonly string[]): Promise<Caller> {
    if (!token) throw new UnauthenticatedError('Requests must come through the router.');
    const caller = this.#cache.get(token) ?? (await this.#verify(token));
    if (!services.includes(caller.service)) {
      throw new UnauthenticatedError(`Requests from ${caller.service} are not accepted here.`);
    }
    return caller;
  }

  async #verify(token: string): Promise<Caller> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        audience,
        algorithms: [algorithm],
        requiredClaims: ['iss', 'exp'],
      });
      const viewer =
        payload.sub && isRole(payload.role) ? { id: payload.sub, role: payload.role } : null;
      const caller = { service: payload.iss!, viewer };
      this.#cache.set(token, caller, { ttl: payload.exp! * 1000 - Date.now() });
      return caller;
    } catch {
      throw new UnauthenticatedError('The identity assertion is not valid.');
    }
  }
}
