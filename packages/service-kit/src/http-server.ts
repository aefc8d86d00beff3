import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { shuttingDown } from './shutdown.js';

/**
 * Liveness and readiness endpoints every service exposes. `/ready` answers 503 when `ready`
 * fails, and from the moment the process is asked to stop (see `runService`).
 */
export function healthRoutes(app: express.Express, ready: () => Promise<void>): void {
  app.get('/health', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/ready', async (_request, response) => {
    try {
      if (shuttingDown()) throw new Error('Shutting down.');
      await ready();
      response.json({ status: 'ready' });
    } catch (error) {
      response
        .status(503)
        .json({ status: 'unavailable', reason: String((error as Error).message) });
    }
  });
}

/** Starts listening and resolves with the bound port (useful when `port` is 0). */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export function createHttpServer(app: RequestListener): Server {
  const server = createServer(app);
  // Keep-alive longer than a typical load balancer's idle timeout, so it closes first.
  server.keepAliveTimeout = 65_000;
  return server;
}
