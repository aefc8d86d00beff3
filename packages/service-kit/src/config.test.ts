import { generateServiceKeyPair, parsePublicKey } from '@baedal/identity';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  developmentSecrets,
  loadConfig,
  milliseconds,
  port,
  privateKeyVariable,
  publicKeysVariable,
  secretVariable,
  variable,
} from './config.js';

const variables = {
  port: variable('PORT', port(4001)),
  paymentTimeoutMs: variable('PAYMENT_TIMEOUT_MS', milliseconds(3000)),
  secret: secretVariable('SOME_SECRET', 'a-development-secret-of-32-characters'),
  mode: variable('MODE', z.enum(['a', 'b']).default('a')),
};

/** The message `loadConfig` throws for `env`, or '' if it accepts it. */
function problems(vars: Parameters<typeof loadConfig>[0], env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(vars, env);
    return '';
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
}

describe('loadConfig', () => {
  it('fills defaults and coerces numbers into a frozen object', () => {
    const config = loadConfig(variables, { PORT: '5000' });
    expect(config).toEqual({
      port: 5000,
      paymentTimeoutMs: 3000,
      secret: 'a-development-secret-of-32-characters',
      mode: 'a',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every bad variable at once, by name', () => {
    const load = () =>
      loadConfig(variables, {
        PORT: 'eighty',
        PAYMENT_TIMEOUT_MS: '-1',
        SOME_SECRET: 'short',
        MODE: 'c',
      });
    expect(load).toThrow(ConfigError);
    const message = (() => {
      try {
        load();
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const name of ['PORT', 'PAYMENT_TIMEOUT_MS', 'SOME_SECRET', 'MODE'])
      expect(message).toContain(`  ${name}: `);
    expect(message).toContain('SOME_SECRET: must be at least 32 characters');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(variables, { PORT: '' }).port).toBe(4001);
  });
});

describe('secrets and keys', () => {
  const identity = {
    jwtSecret: secretVariable('JWT_SECRET', developmentSecrets.jwt),
    routerPrivateKey: privateKeyVariable('ROUTER_PRIVATE_KEY', developmentSecrets.routerPrivateKey),
    routerPublicKeys: publicKeysVariable('ROUTER_PUBLIC_KEYS', developmentSecrets.routerPublicKey),
  };
  const production = { NODE_ENV: 'production' };
  const router = generateServiceKeyPair();
  const next = generateServiceKeyPair();
  const own = {
    JWT_SECRET: 'a-secret-of-this-deployment-and-no-other-0123456789',
    ROUTER_PRIVATE_KEY: router.privateKey,
    ROUTER_PUBLIC_KEYS: router.publicKey,
  };

  it('default to the development values outside production', () => {
    const config = loadConfig(identity, {});
    expect(config.jwtSecret).toBe(developmentSecrets.jwt);
    expect(config.routerPrivateKey.kid).toBe(
      parsePublicKey(developmentSecrets.routerPublicKey).kid,
    );
    expect(config.routerPublicKeys.map((key) => key.kid)).toEqual([config.routerPrivateKey.kid]);
  });

  it('must each be set in production, by name', () => {
    const message = problems(identity, production);
    for (const name of ['JWT_SECRET', 'ROUTER_PRIVATE_KEY', 'ROUTER_PUBLIC_KEYS'])
      expect(message).toContain(`  ${name}: must be set in production`);
  });

  it('may not be the published development values in production', () => {
    const message = problems(identity, {
      ...production,
      JWT_SECRET: developmentSecrets.jwt,
      ROUTER_PRIVATE_KEY: developmentSecrets.routerPrivateKey,
      ROUTER_PUBLIC_KEYS: `${router.publicKey},${developmentSecrets.routerPublicKey}`,
    });
    for (const name of ['JWT_SECRET', 'ROUTER_PRIVATE_KEY', 'ROUTER_PUBLIC_KEYS']) {
      expect(message).toContain(
        `  ${name}: is a development value published with the source code; generate your own`,
      );
    }
  });

  it('may not be the demo secrets compose once defaulted to, in production', () => {
    const message = problems(
      { jwtSecret: identity.jwtSecret },
      { ...production, JWT_SECRET: 'compose-demo-user-token-secret-change-me' },
    );
    expect(message).toContain('JWT_SECRET: is a development value');
  });

  it('refuses a short secret and what is not a key, naming the variable', () => {
    const message = problems(identity, {
      ...production,
      JWT_SECRET: 'short',
      ROUTER_PRIVATE_KEY: router.publicKey,
      ROUTER_PUBLIC_KEYS: 'not-a-key',
    });
    expect(message).toContain('JWT_SECRET: must be at least 32 characters');
    expect(message).toContain(
      'ROUTER_PRIVATE_KEY: must be an Ed25519 private key (base64 PKCS#8 DER)',
    );
    expect(message).toContain(
      'ROUTER_PUBLIC_KEYS: must be an Ed25519 public key (base64 SPKI DER)',
    );
  });

  it("accepts a deployment's own values in production, and two public keys during a rotation", () => {
    expect(problems(identity, { ...production, ...own })).toBe('');
    const rotating = loadConfig(identity, {
      ...production,
      ...own,
      ROUTER_PUBLIC_KEYS: `${next.publicKey}, ${router.publicKey}`,
    });
    expect(rotating.routerPublicKeys.map((key) => key.kid)).toEqual([
      parsePublicKey(next.publicKey).kid,
      parsePublicKey(router.publicKey).kid,
    ]);
  });
});
