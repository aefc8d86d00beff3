export * from './actor.js';
export * from './errors.js';
export * from './geo.js';
export * from './money.js';
export * from './validation.js';
