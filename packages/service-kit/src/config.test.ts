import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig, milliseconds, port, secret, variable } from './config.js';

const variables = {
  port: variable('PORT', port(4001)),
  paymentTimeoutMs: variable('PAYMENT_TIMEOUT_MS', milliseconds(3000)),
  secret: variable('SOME_SECRET', secret('a-development-secret-of-32-characters')),
  mode: variable('MODE', z.enum(['a', 'b']).default('a')),
};

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
