export { type DeliveryConfig, loadDeliveryConfig } from './config.js';
export { start } from './server.js';
