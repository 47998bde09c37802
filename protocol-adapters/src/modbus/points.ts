import { isBitTable, modbusTypeRegisters, type ModbusDeviceConfig, type ModbusRegisterKind, type ModbusTagConfig } from '@dcmms/shared';
import { createScaler, type Scaler } from '../scaling.js';

export type ReadFunctionCode = 1 | 2 | 3 | 4;
export const FC_OF: Readonly<Record<ModbusRegisterKind, ReadFunctionCode>> = { coil: 1, discrete: 2, holding: 3, input: 4 };

/** A tag resolved against its device: protocol address (0-based), width, unit, interval, scaler. */
export interface ModbusPoint {
  /** Position in the device's tag list. */
  readonly index: number;
  readonly tag: ModbusTagConfig;
  readonly unitId: number;
  readonly fc: ReadFunctionCode;
  /** 0-based protocol address. */
  readonly address: number;
  /** Registers (FC3/4) or bits (FC1/2) read for it. */
  readonly width: number;
  readonly intervalMs: number;
  readonly scaler: Scaler;
}

export function resolvePoints(device: ModbusDeviceConfig): ModbusPoint[] {
  return device.tags.map((tag, index) => ({
    index,
    tag,
    unitId: tag.unitId ?? device.unitId,
    fc: FC_OF[tag.register],
    address: tag.address - device.addressBase,
    width: isBitTable(tag.register) ? 1 : modbusTypeRegisters(tag.type, tag.length),
    intervalMs: tag.pollIntervalMs ?? device.pollIntervalMs,
    scaler: createScaler(tag.scale, tag.offset),
  }));
}
