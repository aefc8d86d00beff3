import { runService } from '@baedal/service-kit';
import { loadOrderConfig } from './config.js';
import { start } from './server.js';

await runService('order', () => start(loadOrderConfig()));
