export { loadPaymentConfig, type PaymentConfig } from './config.js';
export { connectDatabase } from './db.js';
export { start } from './server.js';
