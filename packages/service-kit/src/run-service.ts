import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ConfigError, loadConfig, variable } from './config.js';
import { beginShutdown, shuttingDown } from './shutdown.js';

/** A started service: where it listens, and how to stop it. */
export interface RunningService extends AsyncDisposable {
  readonly url: string;
}

/** The message a service sends its parent process (if any) once it accepts requests. */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly service: string;
  readonly url: string;
}

const variables = {
  /**
   * How long a stopping service goes on serving, not ready, before it closes its port: time
   * for load balancers that follow `/ready` to stop sending it requests. 0 by default
   * (Kubernetes' preStop hook does this waiting before SIGTERM).
   */
  shutdownDelayMs: variable('SHUTDOWN_DELAY_MS', z.coerce.number().int().min(0).default(0)),
};

/**
 * The whole of a service's `main.ts`: starts it, tells a parent process that it is ready
 * (`npm start` waits for this), and on SIGTERM or SIGINT, or when that parent goes away,
 * stops it gracefully: `/ready` answers 503 at once, the service goes on serving for
 * `SHUTDOWN_DELAY_MS`, then it is disposed (no new connections; requests under way finish;
 * then its jobs, event consumer, relay and connections stop). A failure to
 * start exits with status 1 and a one-paragraph reason, not a stack trace, for expected
 * failures (bad configuration, a database that cannot be reached, a port in use).
 */
export async function runService(
  name: string,
  start: () => Promise<RunningService>,
): Promise<void> {
  let service: RunningService;
  let shutdownDelayMs: number;
  try {
    ({ shutdownDelayMs } = loadConfig(variables));
    service = await start();
  } catch (error) {
    const reason =
      error instanceof ConfigError || isEnvironmentError(error)
        ? String((error as Error).message)
        : error;
    console.error(`${name} could not start:`, reason);
    process.exit(1);
  }
  process.send?.({ type: 'ready', service: name, url: service.url } satisfies ReadyMessage);

  const stop = async (signal: NodeJS.Signals) => {
    if (shuttingDown()) return;
    beginShutdown();
    try {
      await sleep(shutdownDelayMs);
      await service[Symbol.asyncDispose]();
      process.exit(0);
    } catch (error) {
      console.error(`${name} did not stop cleanly after ${signal}:`, error);
      process.exit(1);
    }
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // Started by `npm start` (with an IPC channel): stop when the parent goes away, however
  // it went, instead of living on as an orphan holding the port.
  if (process.connected) process.once('disconnect', () => stop('SIGHUP'));
}

/** A failure of the surroundings (a server down, a port taken): its stack would not help. */
function isEnvironmentError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return (
    code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EADDRINUSE'
  );
}
