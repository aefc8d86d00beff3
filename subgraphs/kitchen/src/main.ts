import { runService } from '@baedal/service-kit';
import { loadKitchenConfig } from './config.js';
import { start } from './server.js';

await runService('kitchen', () => start(loadKitchenConfig()));
