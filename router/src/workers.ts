import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { createLogger, type ReadyMessage, type RunningService } from '@baedal/service-kit';
import { AggregatorRegistry } from 'prom-client';
import type { RouterConfig } from './config.js';
import { startMetricsServer } from './metrics.js';

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
  const metricsServer = await startMetricsServer(
    { contentType: aggregator.contentType, collect: () => aggregator.clusterMetrics() },
    config.metricsPort,
    config.host,
    logger,
  );
  logger.info({ url, workers: config.workers }, 'router workers listening');
  return {
    url,
    async [Symbol.asyncDispose]() {
      stopping = true;
      await stopWorkers('SIGTERM');
      await metricsServer[Symbol.asyncDispose]();
    },
  };
}
