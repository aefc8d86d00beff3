import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createLogger, listen, type ReadyMessage, type RunningService } from '@baedal/service-kit';
import { AggregatorRegistry } from 'prom-client';
import type { RouterConfig } from './config.js';

const isReady = (message: unknown): message is ReadyMessage =>
  (message as ReadyMessage | undefined)?.type === 'ready';

/**
 * The first process of a router with `ROUTER_WORKERS` > 1: forks that many workers
 * (node:cluster), which share the API's port, each a whole router with its own live feed.
 * Resolves once every worker is ready; serves their metrics summed on `METRICS_PORT`; forks
 * a new worker when one dies. Disposing stops the workers, each draining as a single router
 * does. Rejects (and stops the others) if a worker cannot start.
 */
export async function startWorkers(config: RouterConfig): Promise<RunningService> {
  const logger = createLogger('router', { level: config.logLevel, format: config.logFormat });
  let stopping = false;
  const workers = () =>
    Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
  const stopWorkers = (signal: NodeJS.Signals) =>
    Promise.all(
      workers().map((worker) => {
        const exited = once(worker, 'exit');
        worker.process.kill(signal);
        return exited;
      }),
    );

  const fork = (): Promise<string> => {
    const worker = cluster.fork();
    worker.once('exit', (code, signal) => {
      if (stopping) return;
      logger.error({ worker: worker.id, code, signal }, 'router worker died; starting another');
      fork().catch((error: unknown) => logger.error({ err: error }, 'router worker failed'));
    });
    return new Promise((resolve, reject) => {
      worker.on('message', (message: unknown) => {
        if (isReady(message)) resolve(message.url);
      });
      worker.once('exit', (code, signal) =>
        reject(new Error(`A router worker exited (${signal ?? `status ${code}`}) while starting.`)),
      );
    });
  };

  let url: string;
  try {
    [url] = (await Promise.all(Array.from({ length: config.workers }, fork))) as [string];
  } catch (error) {
    stopping = true;
    await stopWorkers('SIGKILL');
    throw error;
  }

  // Each worker reports its own registry (`AggregatorRegistry.setRegistries`); this one asks
  // them all and sums.
  const aggregator = new AggregatorRegistry();
  const metricsServer = createServer(async (request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    try {
      const text = await aggregator.clusterMetrics();
      response.writeHead(200, { 'content-type': aggregator.contentType }).end(text);
    } catch (error) {
      // A worker that did not answer within 5 s (prom-client's limit).
      logger.warn({ err: error }, 'router workers did not report their metrics');
      response.writeHead(503).end();
    }
  });
  await listen(metricsServer, config.metricsPort, config.host);
  logger.info({ url, workers: config.workers }, 'router workers listening');
  return {
    url,
    async [Symbol.asyncDispose]() {
      stopping = true;
      await stopWorkers('SIGTERM');
      metricsServer.closeAllConnections();
      await new Promise((resolve) => metricsServer.close(resolve));
    },
  };
}
