import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { IdentityAsserter, IdentityVerifier, mintUserToken, UserTokenVerifier } from './index.js';

const userSecret = 'a-user-token-secret-of-at-least-32-chars';
const internalSecret = 'an-internal-secret-of-at-least-32-chars';
const owner = { id: 'owner-1', role: 'STORE_OWNER' } as const;

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

  it('refuses garbage', async () => {
    await expect(verifier.verify('not.a.token')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('identity assertions', () => {
  const router = new IdentityAsserter(internalSecret, 'router');
  const verifier = new IdentityVerifier(internalSecret);

  it('carries the person from the router to a subgraph', async () => {
    const caller = await verifier.verify(await router.assert(owner), ['router']);
    expect(caller).toEqual({ service: 'router', viewer: owner });
  });

  it('carries an anonymous caller as a null viewer', async () => {
    expect(await verifier.verify(await router.assert(null), ['router'])).toEqual({
      service: 'router',
      viewer: null,
    });
  });

  it('refuses a request without an assertion, as one that did not come through the router', async () => {
    await expect(verifier.verify(undefined, ['router'])).rejects.toThrow(
      'Requests must come through the router.',
    );
  });

  it('refuses an assertion from a service the endpoint does not accept', async () => {
    const token = await new IdentityAsserter(internalSecret, 'order').assert(null);
    await expect(verifier.verify(token, ['router'])).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('refuses an assertion signed with another secret, such as a user token', async () => {
    const forged = await new IdentityAsserter(
      'not-the-internal-secret-at-all-1234',
      'router',
    ).assert(owner);
    await expect(verifier.verify(forged, ['router'])).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    const userToken = await mintUserToken(owner, internalSecret);
    await expect(verifier.verify(userToken, ['router'])).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });
});
