export * from './devices.js';
export * from './alarms.js';
export * from './site.js';
