import { runService } from '@baedal/service-kit';
import { loadRouterConfig } from './config.js';
import { start } from './server.js';

await runService('router', () => start(loadRouterConfig()));
