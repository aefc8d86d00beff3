import { randomBytes } from 'node:crypto';
import type { RunningService } from '@baedal/service-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRouterConfig } from './config.js';
import { start } from './server.js';

/*
 * PLAYGROUND serves the playground and answers introspection (its docs and completion need
 * it); without it the router does neither. The router starts on its own here: nothing
 * these requests ask reaches a subgraph.
 */

let router: RunningService | undefined;
afterEach(async () => {
  await router?.[Symbol.asyncDispose]();
  router = undefined;
});

async function startRouter(playground: 'true' | 'false') {
  router = await start(
    loadRouterConfig({
      PORT: '0',
      PLAYGROUND: playground,
      LOG_LEVEL: 'silent',
      EVENT_STREAM_PREFIX: `test-${randomBytes(4).toString('hex')}`,
      ...(process.env.REDIS_URL && { REDIS_URL: process.env.REDIS_URL }),
    }),
  );
  return router.url;
}

const introspect = (url: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
  }).then((response) => response.json() as Promise<{ data?: unknown; errors?: unknown[] }>);

const openInBrowser = (url: string) => fetch(url, { headers: { accept: 'text/html' } });

describe('PLAYGROUND', () => {
  it('is on by default outside production (tests run as NODE_ENV=test)', () => {
    expect(loadRouterConfig({}).playground).toBe(true);
  });

  it('on: serves the playground and answers introspection', async () => {
    const url = await startRouter('true');
    expect(await introspect(url)).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    const page = await openInBrowser(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });

  it('off: neither serves the playground nor answers introspection', async () => {
    const url = await startRouter('false');
    const answer = await introspect(url);
    expect(answer.data).toBeUndefined();
    expect(JSON.stringify(answer.errors)).toContain('introspection');
    const page = await openInBrowser(url);
    expect(page.status).not.toBe(200);
    expect(await page.text()).not.toContain('<html');
  });
});
