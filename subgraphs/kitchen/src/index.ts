export { type KitchenConfig, loadKitchenConfig } from './config.js';
export { start } from './server.js';
