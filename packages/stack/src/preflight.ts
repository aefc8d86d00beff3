import { createServer } from 'node:net';
import findProcess from 'find-process';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * Checks, before anything starts, that PostgreSQL and Redis answer and that the services'
 * ports (by service name) are free, and says what is wrong and how to fix it, instead of
 * letting five processes fail with stack traces. Throws a `PreflightError` naming every
 * problem found.
 */
export async function preflight(
  postgresUrl: string,
  redisUrl: string,
  ports: Readonly<Record<string, number>> = {},
): Promise<void> {
  const problems = (
    await Promise.all([checkPostgres(postgresUrl), checkRedis(redisUrl), checkPorts(ports)])
  ).filter((problem): problem is string => problem !== null);
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

/**
 * Says which of the ports (by service name) something already listens on, on 127.0.0.1 where
 * the services listen, and which process that is when the system tells (`ss`, `netstat` or
 * `lsof`, through find-process); null when every port is free.
 */
export async function checkPorts(ports: Readonly<Record<string, number>>): Promise<string | null> {
  const taken = (
    await Promise.all(
      Object.entries(ports).map(async ([service, port]) =>
        (await isFree(port)) ? null : `    ${port} (${service}): ${await holderOf(port)}`,
      ),
    )
  ).filter((line): line is string => line !== null);
  if (taken.length === 0) return null;
  return [
    'These ports are already in use:',
    ...taken,
    '  Is Baedal already running (`npm start` in another terminal)? Stop it with Ctrl+C there,',
    "  or choose other ports with PORT (the router's; the subgraphs take the next four).",
  ].join('\n');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(false) : reject(error),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function holderOf(port: number): Promise<string> {
  const [holder] = await findProcess('port', port).catch(() => []);
  if (!holder) return 'by a process this user cannot see';
  const command = holder.cmd || holder.name;
  return `process ${holder.pid}, ${command.length > 160 ? `${command.slice(0, 157)}...` : command}`;
}
