export { type KitchenConfig, loadKitchenConfig } from './config.js';
export { connectDatabase } from './db.js';
export { start } from './server.js';
