export { loadPaymentConfig, type PaymentConfig } from './config.js';
export { start } from './server.js';
