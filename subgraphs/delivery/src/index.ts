export { type DeliveryConfig, loadDeliveryConfig } from './config.js';
export { connectDatabase } from './db.js';
export { start } from './server.js';
