export * from './actor.js';
export * from './errors.js';
export * from './geo.js';
export * from './validation.js';
