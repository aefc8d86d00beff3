import { createServer, type Server } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPorts, PreflightError, preflight } from './preflight.js';

const postgres = process.env.POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A port nothing listens on: bound, then closed. */
let closedPort: number;
beforeAll(async () => {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
});

describe('preflight', () => {
  it('passes when PostgreSQL and Redis answer', async () => {
    await expect(preflight(postgres, redis)).resolves.toBeUndefined();
  });

  it('says that PostgreSQL is not reachable, where, and how to start it', async () => {
    const error = await preflight(
      `postgresql://postgres@127.0.0.1:${closedPort}/postgres`,
      redis,
    ).catch((e) => e);
    expect(error).toBeInstanceOf(PreflightError);
    expect(error.message).toContain(
      `PostgreSQL is not reachable at 127.0.0.1:${closedPort} (ECONNREFUSED)`,
    );
    expect(error.message).toContain('docker compose up -d postgres');
    expect(error.message).not.toContain('Redis');
  });

  it('says that Redis is not reachable, where, and how to start it', async () => {
    const error = await preflight(postgres, `redis://127.0.0.1:${closedPort}`).catch((e) => e);
    expect(error.message).toContain(
      `Redis is not reachable at 127.0.0.1:${closedPort} (ECONNREFUSED)`,
    );
    expect(error.message).toContain('redis-server --daemonize yes');
    expect(error.message).not.toContain('PostgreSQL');
  });

  it('names both when neither answers', async () => {
    const error = await preflight(
      `postgresql://postgres@127.0.0.1:${closedPort}/postgres`,
      `redis://127.0.0.1:${closedPort}`,
    ).catch((e) => e);
    expect(error.message).toMatch(/PostgreSQL is not reachable[\s\S]*Redis is not reachable/);
  });
});

describe('checkPorts', () => {
  it('says which ports are taken, for which service, and by which process', async () => {
    await using held = await listenOn(0);
    const message = await checkPorts({ router: held.port });
    expect(message).toContain(`${held.port} (router): process ${process.pid}, `);
    expect(message).toContain('Is Baedal already running');
  });

  it('names only the taken ones, and nothing when all are free', async () => {
    await using held = await listenOn(0);
    const message = await checkPorts({ router: held.port, order: closedPort });
    expect(message).toContain(`${held.port} (router)`);
    expect(message).not.toContain(`${closedPort} (order)`);
    await expect(checkPorts({ order: closedPort })).resolves.toBeNull();
  });

  it('is part of the preflight', async () => {
    await using held = await listenOn(0);
    const error = await preflight(postgres, redis, { kitchen: held.port }).catch((e) => e);
    expect(error).toBeInstanceOf(PreflightError);
    expect(error.message).toContain(`${held.port} (kitchen): process ${process.pid}`);
  });
});

/** A listener on 127.0.0.1 (`port` 0: any free port), closed when disposed. */
async function listenOn(port: number) {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
