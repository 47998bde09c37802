export * from './errors.js';
export * from './validation.js';
export * from './clock.js';
export * from './logger.js';
export * from './metrics.js';
export * from './contracts/index.js';
export * from './codec/index.js';
export * from './site-config/index.js';
