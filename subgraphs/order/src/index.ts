export { loadOrderConfig, type OrderConfig } from './config.js';
export { start } from './server.js';
