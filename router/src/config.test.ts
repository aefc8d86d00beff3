import { availableParallelism } from 'node:os';
import { generateServiceKeyPair } from '@baedal/identity';
import { describe, expect, it } from 'vitest';
import { loadRouterConfig } from './config.js';

const problems = (env: NodeJS.ProcessEnv) => {
  try {
    loadRouterConfig(env);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
};

const production = {
  NODE_ENV: 'production',
  JWT_SECRET: 'a-secret-of-this-deployment-and-no-other-0123456789',
  ROUTER_PRIVATE_KEY: generateServiceKeyPair().privateKey,
  CORS_ORIGINS: 'https://app.example.com',
};

describe('router configuration', () => {
  it('needs no setup outside production: development keys, any origin, metrics on 9464', () => {
    const config = loadRouterConfig({});
    expect(config.corsOrigins).toBe('*');
    expect(config.metricsPort).toBe(9464);
    expect(config.tokenMaxLifetimeSeconds).toBe(86_400);
    expect(config.workers).toBe(1);
  });

  it('runs a number of workers, or one per core with `auto`, and refuses anything else', () => {
    expect(loadRouterConfig({ ROUTER_WORKERS: '2' }).workers).toBe(2);
    expect(loadRouterConfig({ ROUTER_WORKERS: 'auto' }).workers).toBe(availableParallelism());
    for (const wrong of ['0', 'many', '1.5']) {
      expect(problems({ ROUTER_WORKERS: wrong })).toContain('ROUTER_WORKERS:');
    }
  });

  it('refuses to start in production without its secret, its key and explicit origins', () => {
    const message = problems({ NODE_ENV: 'production' });
    for (const name of ['JWT_SECRET', 'ROUTER_PRIVATE_KEY', 'CORS_ORIGINS'])
      expect(message).toContain(`  ${name}: must be set in production`);
    expect(problems(production)).toBe('');
  });

  it('takes origins as a list, and refuses what is not an origin', () => {
    expect(
      loadRouterConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:3000' }).corsOrigins,
    ).toEqual(['https://a.example', 'http://localhost:3000']);
    expect(problems({ CORS_ORIGINS: 'https://a.example/path' })).toContain(
      'CORS_ORIGINS: must be `*` or origins such as https://app.example.com, comma-separated',
    );
  });
});
