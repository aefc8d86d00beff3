import cluster from 'node:cluster';
import { runService } from '@baedal/service-kit';
import { loadRouterConfig } from './config.js';
import { start } from './server.js';
import { startWorkers } from './workers.js';

await runService('router', () => {
  const config = loadRouterConfig();
  return cluster.isPrimary && config.workers > 1 ? startWorkers(config) : start(config);
});
