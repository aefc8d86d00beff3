import { runService } from '@baedal/service-kit';
import { loadDeliveryConfig } from './config.js';
import { start } from './server.js';

await runService('delivery', () => start(loadDeliveryConfig()));
