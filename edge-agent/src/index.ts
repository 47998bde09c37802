export * from './errors.js';
export * from './buffer/open-database.js';
export * from './buffer/migrations.js';
export * from './buffer/telemetry-buffer.js';
export * from './buffer/retention.js';
