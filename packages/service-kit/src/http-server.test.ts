import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, healthRoutes, listen } from './http-server.js';
import { beginShutdown } from './shutdown.js';

let base: string;
let dependencies: 'up' | 'down' = 'up';
const server = createHttpServer(
  (() => {
    const app = express();
    healthRoutes(app, async () => {
      if (dependencies === 'down') throw new Error('PostgreSQL did not answer.');
    });
    return app;
  })(),
);

beforeAll(async () => {
  base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = async (path: string) => {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: await response.json() };
};

describe('health routes', () => {
  it('answers ready only while the dependencies answer and the process is not stopping', async () => {
    expect(await get('/ready')).toEqual({ status: 200, body: { status: 'ready' } });
    dependencies = 'down';
    expect(await get('/ready')).toEqual({
      status: 503,
      body: { status: 'unavailable', reason: 'PostgreSQL did not answer.' },
    });
    dependencies = 'up';

    beginShutdown();
    expect(await get('/ready')).toEqual({
      status: 503,
      body: { status: 'unavailable', reason: 'Shutting down.' },
    });
    // Still alive, and still serving, while it drains.
    expect(await get('/health')).toEqual({ status: 200, body: { status: 'ok' } });
  });
});
