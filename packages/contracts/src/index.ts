/**
 * The catalog of events that cross subgraph boundaries. Each event is declared once, here,
 * with its version and payload schema; producers build envelopes with `definition.create`
 * and consumers validate what they receive against the same schema.
 */
export * from './delivery.events.js';
export * from './internal-api.js';
export * from './kitchen.events.js';
export * from './order.events.js';
export * from './payment.events.js';
