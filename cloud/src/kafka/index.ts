export * from './types.js';
export { createEventLog, type EventLogOptions } from './client.js';
