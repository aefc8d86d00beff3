import { runService } from '@baedal/service-kit';
import { loadPaymentConfig } from './config.js';
import { start } from './server.js';

await runService('payment', () => start(loadPaymentConfig()));
