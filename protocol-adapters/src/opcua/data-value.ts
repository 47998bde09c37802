import { DataType, StatusCodes, type DataValue, type StatusCode } from 'node-opcua';
import type { Quality, Reading, ReadingValue } from '@dcmms/shared';
import type { Scaler } from '../scaling.js';

/**
 * OPC-UA DataValue -> Reading. Pure. Quality follows the status code's severity bits
 * (Good 00, Uncertain 01, Bad 10); a bad value carries no value; the source timestamp is
 * kept (server timestamp, then arrival time, when the server sends none).
 */
export function qualityOf(status: StatusCode): Quality {
  const severity = status.value >>> 30;
  return severity === 0 ? 'good' : severity === 1 ? 'uncertain' : 'bad';
}

export function statusName(status: StatusCode): string {
  return status.name || `0x${status.value.toString(16).padStart(8, '0')}`;
}

/** A scalar variant value as a reading value, or undefined for what a reading cannot carry (arrays, structures). */
export function toReadingValue(dataType: DataType, value: unknown): ReadingValue | undefined {
  if (value === null || value === undefined) return null;
  switch (dataType) {
    case DataType.Boolean:
      return Boolean(value);
    case DataType.SByte:
    case DataType.Byte:
    case DataType.Int16:
    case DataType.UInt16:
    case DataType.Int32:
    case DataType.UInt32:
    case DataType.Float:
    case DataType.Double:
      return typeof value === 'number' ? value : undefined;
    case DataType.Int64:
    case DataType.UInt64: {
      // node-opcua carries 64-bit integers as [high, low] 32-bit words.
      if (!Array.isArray(value) || value.length !== 2) return undefined;
      const [hi, lo] = value as [number, number];
      return dataType === DataType.Int64 ? Number((BigInt(hi | 0) << 32n) | BigInt(lo >>> 0)) : hi * 2 ** 32 + (lo >>> 0);
    }
    case DataType.String:
      return typeof value === 'string' ? value : undefined;
    case DataType.LocalizedText:
      return (value as { text?: string }).text ?? null;
    case DataType.DateTime:
      return value instanceof Date ? value.getTime() : undefined;
    default:
      return undefined;
  }
}

export function readingOf(tag: string, dv: DataValue, scaler: Scaler, now: number): Reading {
  const ts = dv.sourceTimestamp?.getTime() ?? dv.serverTimestamp?.getTime() ?? now;
  const status = dv.statusCode ?? StatusCodes.Good;
  const quality = qualityOf(status);
  if (quality === 'bad') return { tag, ts, value: null, quality, reason: statusName(status) };
  if (Array.isArray(dv.value.value) && dv.value.dataType !== DataType.Int64 && dv.value.dataType !== DataType.UInt64)
    return { tag, ts, value: null, quality: 'bad', reason: 'unsupported value: array' };
  let value = toReadingValue(dv.value.dataType, dv.value.value);
  if (value === undefined) return { tag, ts, value: null, quality: 'bad', reason: `unsupported value: ${DataType[dv.value.dataType]}` };
  if (typeof value === 'number') value = scaler(value);
  if (typeof value === 'string' && value.length > 4096) value = value.slice(0, 4096);
  if (typeof value === 'number' && !Number.isFinite(value)) return { tag, ts, value, quality: 'uncertain', reason: 'non-finite value' };
  return quality === 'good' ? { tag, ts, value, quality } : { tag, ts, value, quality, reason: statusName(status) };
}
