import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Checks that PostgreSQL and Redis answer before anything starts, and says which one does
 * not and how to start it, instead of letting five processes fail with stack traces.
 */
export async function preflight(postgresUrl: string, redisUrl: string): Promise<void> {
  const problems = (await Promise.all([checkPostgres(postgresUrl), checkRedis(redisUrl)])).filter(
    (problem): problem is string => problem !== null,
  );
  if (problems.length > 0) throw new PreflightError(problems.join('\n\n'));
}

export class PreflightError extends Error {
  override name = 'PreflightError';
}

async function checkPostgres(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return [
      `PostgreSQL is not reachable at ${where(url)} (${reason(error)}).`,
      '  Start it, for example with one of:',
      '    sudo systemctl start postgresql',
      '    docker compose up -d postgres',
      '  or point POSTGRES_URL at a running server.',
    ].join('\n');
  } finally {
    await client.end().catch(() => {});
  }
}

async function checkRedis(url: string): Promise<string | null> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // ioredis rejects with "Connection is closed"; the socket's own error says why.
  let socketError: unknown;
  redis.on('error', (error) => {
    socketError ??= error;
  });
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (error) {
    return [
      `Redis is not reachable at ${where(url)} (${reason(socketError ?? error)}).`,
      '  Start it, for example with one of:',
      '    redis-server --daemonize yes',
      '    docker compose up -d redis',
      '  or point REDIS_URL at a running server.',
    ].join('\n');
  } finally {
    redis.disconnect();
  }
}

const where = (url: string) => new URL(url).host;

function reason(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return code ?? message ?? String(error);
}
