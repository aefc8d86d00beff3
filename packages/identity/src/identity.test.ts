import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  generateServiceKeyPair,
  IdentityAsserter,
  IdentityVerifier,
  mintUserToken,
  parsePrivateKey,
  parsePublicKey,
  publicKeyOf,
  UserTokenVerifier,
} from './index.js';

const userSecret = 'a-user-token-secret-of-at-least-32-chars';
const owner = { id: 'owner-1', role: 'STORE_OWNER' } as const;
const admin = { id: 'admin-1', role: 'ADMIN' } as const;

describe('user tokens', () => {
  const verifier = new UserTokenVerifier(userSecret);

  it('round-trips a minted token into the person and its expiry', async () => {
    const token = await mintUserToken(owner, userSecret, { expiresIn: '1h' });
    const viewer = await verifier.verify(token);
    expect(viewer).toMatchObject(owner);
    expect(viewer.expiresAt.getTime()).toBeGreaterThan(Date.now() + 59 * 60 * 1000);
  });

  it('refuses an expired token, saying so', async () => {
    const token = await mintUserToken(owner, userSecret, {
      expiresIn: Math.floor(Date.now() / 1000) - 10,
    });
    await expect(verifier.verify(token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'The token has expired.',
    });
  });

  it('refuses a token it verified before, once that token has expired', async () => {
    // Seconds are whole in a JWT: a token of 2 s lives at least one more second from now.
    const token = await mintUserToken(owner, userSecret, { expiresIn: '2s' });
    expect(await verifier.verify(token)).toMatchObject(owner);
    expect(await verifier.verify(token)).toMatchObject(owner);
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    await expect(verifier.verify(token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'The token has expired.',
    });
  });

  it('refuses a token signed with another secret', async () => {
    const token = await mintUserToken(owner, 'some-other-secret-of-at-least-32-chars');
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a token whose role is not one of the four', async () => {
    const token = await mintUserToken({ id: 'x', role: 'ROOT' as never }, userSecret);
    await expect(verifier.verify(token)).rejects.toThrow('The token has no valid role claim.');
  });

  it('refuses a subject over 100 characters or with control characters, which no event could carry', async () => {
    const key = new TextEncoder().encode(userSecret);
    for (const sub of ['x'.repeat(101), 'customer-1\u0000', 'customer\n1']) {
      // Minted directly: `mintUserToken` refuses such an id.
      const token = await new SignJWT({ role: 'CUSTOMER' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(sub)
        .setIssuer('baedal')
        .setAudience('baedal-api')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);
      await expect(verifier.verify(token)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
        message: 'The token has no valid subject claim.',
      });
    }
    const longest = await mintUserToken({ id: 'x'.repeat(100), role: 'CUSTOMER' }, userSecret);
    expect((await verifier.verify(longest)).id).toHaveLength(100);
  });

  it('refuses to mint a token for an id that verification would refuse', async () => {
    for (const id of ['', 'x'.repeat(101), 'rider\u00001']) {
      await expect(mintUserToken({ id, role: 'RIDER' }, userSecret)).rejects.toThrow(RangeError);
    }
  });

  it('refuses a token that lives longer than the maximum, however far off its expiry', async () => {
    const key = new TextEncoder().encode(userSecret);
    const now = Math.floor(Date.now() / 1000);
    const hundredYears = await new SignJWT({ role: 'ADMIN' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('admin-1')
      .setIssuer('baedal')
      .setAudience('baedal-api')
      .setIssuedAt(now)
      .setExpirationTime(now + 100 * 365 * 24 * 3600)
      .sign(key);
    await expect(verifier.verify(hundredYears)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'The token lives longer than the 24 h allowed.',
    });
    const shortMaximum = new UserTokenVerifier(userSecret, { maxLifetimeSeconds: 60 });
    await expect(
      shortMaximum.verify(await mintUserToken(owner, userSecret, { expiresIn: '2m' })),
    ).rejects.toThrow('The token lives longer than the 60 s allowed.');
  });

  it('refuses a token without an issue time, or issued in the future', async () => {
    const key = new TextEncoder().encode(userSecret);
    const claims = new SignJWT({ role: 'CUSTOMER' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('customer-1')
      .setIssuer('baedal')
      .setAudience('baedal-api');
    const withoutIat = await claims.setExpirationTime('1h').sign(key);
    await expect(verifier.verify(withoutIat)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const later = Math.floor(Date.now() / 1000) + 3600;
    const future = await claims
      .setIssuedAt(later)
      .setExpirationTime(later + 60)
      .sign(key);
    await expect(verifier.verify(future)).rejects.toThrow(
      'The token says it was issued in the future.',
    );
  });

  it('refuses to mint a token that would live longer than the maximum', async () => {
    await expect(mintUserToken(owner, userSecret, { expiresIn: '25h' })).rejects.toThrow(
      'A token may live at most 24 h.',
    );
    await expect(
      mintUserToken(owner, userSecret, { expiresIn: '2h', maxLifetimeSeconds: 3600 }),
    ).rejects.toThrow('A token may live at most 1 h.');
    expect(await mintUserToken(owner, userSecret, { expiresIn: '24h' })).toBeTypeOf('string');
  });

  it('refuses garbage', async () => {
    await expect(verifier.verify('not.a.token')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('identity assertions', () => {
  const routerKeys = generateServiceKeyPair();
  const orderKeys = generateServiceKeyPair();
  const routerKey = parsePrivateKey(routerKeys.privateKey);
  const routerFor = (audience: string) =>
    new IdentityAsserter({ issuer: 'router', audience, key: routerKey });
  /** The order subgraph's verifier of the router's assertions. */
  const atOrder = new IdentityVerifier({
    issuer: 'router',
    audience: 'order',
    keys: [parsePublicKey(routerKeys.publicKey)],
  });

  it('carries the person from the router to the subgraph it is for', async () => {
    const caller = await atOrder.verify(await routerFor('order').assert(owner));
    expect(caller).toEqual({ service: 'router', viewer: owner });
  });

  it('carries an anonymous caller as a null viewer', async () => {
    expect(await atOrder.verify(await routerFor('order').assert(null))).toEqual({
      service: 'router',
      viewer: null,
    });
  });

  it('refuses a request without an assertion', async () => {
    await expect(atOrder.verify(undefined)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'Requests here must come from router, with an identity assertion.',
    });
  });

  it('refuses an assertion meant for another subgraph', async () => {
    const forKitchen = await routerFor('kitchen').assert(owner);
    await expect(atOrder.verify(forKitchen)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it("refuses an assertion signed with another service's key, whatever it claims to be", async () => {
    const key = parsePrivateKey(orderKeys.privateKey);
    const asRouter = new IdentityAsserter({ issuer: 'router', audience: 'order', key });
    await expect(atOrder.verify(await asRouter.assert(admin))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('refuses an assertion from another issuer, even signed with a trusted key', async () => {
    const asOrder = new IdentityAsserter({ issuer: 'order', audience: 'order', key: routerKey });
    await expect(atOrder.verify(await asOrder.assert(admin))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('refuses an expired assertion', async () => {
    const expired = await new SignJWT({ role: 'ADMIN' })
      .setProtectedHeader({ alg: 'EdDSA', kid: routerKey.kid, typ: 'baedal-identity+jwt' })
      .setSubject('admin-1')
      .setIssuer('router')
      .setAudience('order')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 20)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 5)
      .sign(routerKey.key);
    await expect(atOrder.verify(expired)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a user token, an HMAC-signed or an unsigned assertion', async () => {
    const userToken = await mintUserToken(owner, userSecret);
    const claims = { role: 'ADMIN', sub: 'admin-1', iss: 'router', aud: 'order' };
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: routerKey.kid, typ: 'baedal-identity+jwt' })
      .setIssuedAt()
      .setExpirationTime('15s')
      .sign(new TextEncoder().encode(routerKeys.publicKey));
    const unsigned = new UnsecuredJWT(claims).setIssuedAt().setExpirationTime('15s').encode();
    for (const token of [userToken, hmac, unsigned]) {
      await expect(atOrder.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('accepts either of two keys while the router key is rotated', async () => {
    const next = generateServiceKeyPair();
    const rotating = new IdentityVerifier({
      issuer: 'router',
      audience: 'order',
      keys: [parsePublicKey(next.publicKey), parsePublicKey(routerKeys.publicKey)],
    });
    const nextRouter = new IdentityAsserter({
      issuer: 'router',
      audience: 'order',
      key: parsePrivateKey(next.privateKey),
    });
    expect((await rotating.verify(await routerFor('order').assert(owner))).viewer).toEqual(owner);
    expect((await rotating.verify(await nextRouter.assert(owner))).viewer).toEqual(owner);
  });
});

describe('service keys', () => {
  it('read back as generated, the public key derived from the private one', () => {
    const pair = generateServiceKeyPair();
    expect(publicKeyOf(pair.privateKey)).toBe(pair.publicKey);
    expect(parsePrivateKey(pair.privateKey).kid).toBe(parsePublicKey(pair.publicKey).kid);
  });

  it('refuse what is not an Ed25519 key, saying what is expected', () => {
    const pair = generateServiceKeyPair();
    expect(() => parsePrivateKey('not-a-key')).toThrow(
      'must be an Ed25519 private key (base64 PKCS#8 DER)',
    );
    expect(() => parsePrivateKey(pair.publicKey)).toThrow(RangeError);
    expect(() => parsePublicKey(pair.privateKey.slice(0, 20))).toThrow(
      'must be an Ed25519 public key (base64 SPKI DER)',
    );
  });
});
