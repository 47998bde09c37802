export * from './errors.js';
export { createInProcessDownlink } from './in-process.js';
export { createKafkaDownlink, createDownlinkRelay, type DownlinkRelayOptions } from './kafka.js';
