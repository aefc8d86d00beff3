import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

/*
 * Real servers a test (or a benchmark) can take away: a Redis of its own, and a proxy in
 * front of PostgreSQL that it can cut. No test framework here, so benchmarks can use them.
 */

/** A port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A Redis server of a test's own, which it may kill and start again. */
export interface RedisServer extends AsyncDisposable {
  readonly url: string;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /**
   * Starts the killed server again on the same port: empty, or, with `appendOnly`, from its
   * append-only file (unless `empty`, which deletes the file first).
   */
  start(options?: { empty?: boolean }): Promise<void>;
  /** Kills it and starts it again without the data it had. */
  restart(): Promise<void>;
}

export interface RedisServerOptions {
  /**
   * Keep an append-only file (`appendfsync everysec`, as in production) in a temporary
   * directory of its own, so that a restarted server reloads what it had written (up to a
   * second behind). Default false: the server keeps nothing.
   */
  readonly appendOnly?: boolean;
}

/**
 * Starts `redis-server` on a free port, for tests that must take Redis away (never the shared
 * server). Killed, and its directory removed, when disposed.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'baedal-redis-'));
  const persistence = options.appendOnly
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec']
    : ['--appendonly', 'no'];
  let child: ChildProcess | undefined;
  const start = async ({ empty = false } = {}) => {
    if (empty) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
    }
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...persistence],
      { stdio: 'ignore' },
    );
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await probe.connect();
          // A server loading its append-only file answers LOADING until it has.
          await probe.ping();
          return;
        } catch (error) {
          if (attempt > 400) throw error;
          probe.disconnect();
          await sleep(25);
        }
      }
    } finally {
      probe.disconnect();
    }
  };
  const kill = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    async restart() {
      await kill();
      await start({ empty: true });
    },
    async [Symbol.asyncDispose]() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A TCP proxy a test can cut, to take a real server (PostgreSQL) away from one client. */
export interface CuttableProxy extends AsyncDisposable {
  readonly port: number;
  /** Closes every connection through the proxy and refuses new ones. */
  cut(): void;
  /** Accepts connections again. */
  restore(): void;
}

/** Forwards `127.0.0.1:<port>` to `host:targetPort` until cut. */
export async function cuttableProxy(host: string, targetPort: number): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, host);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    open = false;
    for (const socket of sockets) socket.destroy();
  };
  return {
    port: (server.address() as AddressInfo).port,
    cut,
    restore() {
      open = true;
    },
    async [Symbol.asyncDispose]() {
      cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
