export type * from './adapter.js';
export * from './errors.js';
export { createAdapter, type CreateAdapterDeps } from './create-adapter.js';
export { createModbusAdapter, type AdapterDeps, type ModbusAdapterOptions } from './modbus/modbus-adapter.js';
export { decodeRegisters, encodeRegisters } from './modbus/codec.js';
export { planRequests, planPerTag, type PlannedRequest, type PlanLimits } from './modbus/planner.js';
export { resolvePoints, type ModbusPoint } from './modbus/points.js';
export { createScaler, unscale } from './scaling.js';
export { createPollScheduler, alignUp, type PollScheduler } from './poll-scheduler.js';
export { backoffDelay } from './backoff.js';


export { startModbusSimulator, startRtuSimulator, type ModbusSimulator, type ModbusSimulatorOptions, type ModbusFaults, type RtuSimulatorOptions, type GarbageMode } from './simulators/modbus-simulator.js';

export { PROFILES, PROFILE_NAMES, getProfile, expectedValue, type ProfileName, type SimProfile, type SimPoint } from './simulators/profiles.js';
export { simulatorModbusDevice, simulatorModbusTags, simulatorOpcuaDevice, simulatorOpcuaTags, simulatorNodeId } from './simulators/device-config.js';
