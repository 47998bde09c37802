import type { ByteOrder, ModbusDataType, ModbusRegisterKind } from '@dcmms/shared';
import { createScaler } from '../scaling.js';

/**
 * Device models for the simulators: a register map and, for every point, its value as a
 * deterministic function of (seed, time). Values move in steps of `stepMs` (the device's
 * internal update), so a test that knows the seed and the time computes what it must read.
 *
 * Values look like plant data: integers times a decimal scale, counters that only grow,
 * state words and fault bits, float32 where the device uses IEEE floats.
 */
export type SimValue = number | boolean | string;

export interface SimPoint {
  /** Tag-name suffix: `ac_power`; a device config names the tag `<device>.<name>`. */
  readonly name: string;
  readonly register: ModbusRegisterKind;
  /** 0-based protocol address. */
  readonly address: number;
  readonly type: ModbusDataType;
  readonly byteOrder?: ByteOrder;
  /** Engineering value = raw * scale. */
  readonly scale?: number;
  /** Strings: registers. */
  readonly length?: number;
  readonly bit?: number;
  readonly unit?: string;
  readonly writable?: boolean;
  /** Engineering range, for OPC-UA analog items (percent deadband needs it). */
  readonly range?: readonly [number, number];
  /** Raw value (before scale) at step `step` of a device with `seed`. */
  readonly raw: (step: number, seed: number) => SimValue;
}

export interface SimProfile {
  readonly name: ProfileName;
  readonly description: string;
  readonly stepMs: number;
  readonly points: readonly SimPoint[];
}

export const PROFILE_NAMES = ['pv-inverter', 'wind-turbine', 'energy-meter', 'register-bank'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

// ---------------------------------------------------------------------------------------
// Deterministic noise

/** A 32-bit integer hash of (a, b, c) -> [0, 1). */
export function noise(a: number, b: number, c: number): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca77) ^ Math.imul(c | 0, 0xc2b2ae3d)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** A slow wave in [0, 1] with a period of `period` steps, phase set by the seed. */
const wave = (step: number, seed: number, period: number): number => 0.5 + 0.5 * Math.sin((2 * Math.PI * (step + (seed % period))) / period);

const clampInt = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, Math.round(v)));

// ---------------------------------------------------------------------------------------
// PV inverter: a 25 kW three-phase string inverter, SunSpec-like holding registers.

function pvPower(step: number, seed: number): number {
  // Irradiance: a 600-step "day" with clouds; 0 W for the darkest fifth.
  const sun = Math.max(0, Math.sin((Math.PI * (step % 600)) / 600) - 0.1) / 0.9;
  const cloud = 0.8 + 0.2 * noise(seed, Math.floor(step / 7), 11);
  return Math.round(25_000 * sun * cloud);
}

const pvPoints: SimPoint[] = [
  { name: 'model', register: 'holding', address: 0, type: 'string', length: 8, raw: () => 'DCMMS-PV-25K' },
  { name: 'serial_number', register: 'holding', address: 8, type: 'string', length: 6, byteOrder: 'BADC', raw: (_s, seed) => `SN${String(seed).padStart(8, '0')}` },
  { name: 'state', register: 'holding', address: 20, type: 'uint16', raw: (s, seed) => (pvPower(s, seed) === 0 ? 2 : noise(seed, s, 99) < 0.01 ? 7 : 4) },
  { name: 'fault_word', register: 'holding', address: 21, type: 'uint16', raw: (s, seed) => faultWord(s, seed) },
  ...['over_temperature', 'grid_fault', 'isolation_fault', 'fan_fault', 'dc_overvoltage', 'ac_overcurrent', 'comm_fault', 'arc_fault'].map(
    (name, bit): SimPoint => ({ name: `fault_${name}`, register: 'holding', address: 21, type: 'bool', bit, raw: (s, seed) => ((faultWord(s, seed) >> bit) & 1) === 1 }),
  ),
  ...[1, 2, 3].map((l): SimPoint => ({ name: `ac_voltage_l${l}`, register: 'holding', address: 39 + l, type: 'uint16', scale: 0.1, unit: 'V', range: [0, 300], raw: (s, seed) => clampInt(2300 + 40 * (noise(seed, s, l) - 0.5), 0, 65535) })),
  ...[1, 2, 3].map((l): SimPoint => ({ name: `ac_current_l${l}`, register: 'holding', address: 42 + l, type: 'uint16', scale: 0.01, unit: 'A', range: [0, 50], raw: (s, seed) => clampInt((pvPower(s, seed) / 3 / 230) * 100 * (0.98 + 0.04 * noise(seed, s, 10 + l)), 0, 65535) })),
  { name: 'ac_frequency', register: 'holding', address: 46, type: 'uint16', scale: 0.01, unit: 'Hz', range: [45, 55], raw: (s, seed) => clampInt(5000 + 10 * (noise(seed, s, 20) - 0.5), 0, 65535) },
  { name: 'ac_power', register: 'holding', address: 47, type: 'int32', unit: 'W', range: [0, 30000], raw: pvPower },
  { name: 'reactive_power', register: 'holding', address: 49, type: 'int32', byteOrder: 'CDAB', unit: 'var', range: [-10000, 10000], raw: (s, seed) => Math.round(pvPower(s, seed) * 0.1 * (noise(seed, s, 21) - 0.5)) },
  { name: 'power_factor', register: 'holding', address: 51, type: 'int16', scale: 0.001, range: [-1, 1], raw: (s, seed) => clampInt(990 + 10 * noise(seed, s, 22), -1000, 1000) },
  { name: 'dc_voltage', register: 'holding', address: 52, type: 'uint16', scale: 0.1, unit: 'V', range: [0, 1000], raw: (s, seed) => (pvPower(s, seed) === 0 ? clampInt(300 * wave(s, seed, 600), 0, 65535) : clampInt(6200 + 400 * noise(seed, s, 23), 0, 65535)) },
  { name: 'dc_current', register: 'holding', address: 53, type: 'uint16', scale: 0.01, unit: 'A', range: [0, 60], raw: (s, seed) => clampInt((pvPower(s, seed) / 640) * 100 * 1.02, 0, 65535) },
  { name: 'dc_power', register: 'holding', address: 54, type: 'uint32', unit: 'W', range: [0, 30000], raw: (s, seed) => Math.round(pvPower(s, seed) * 1.02) },
  ...[1, 2, 3, 4].flatMap((m): SimPoint[] => [
    { name: `mppt${m}_voltage`, register: 'holding', address: 54 + 2 * m, type: 'uint16', scale: 0.1, unit: 'V', range: [0, 1000], raw: (s, seed) => clampInt(6200 + 300 * noise(seed, s, 30 + m), 0, 65535) },
    { name: `mppt${m}_current`, register: 'holding', address: 55 + 2 * m, type: 'uint16', scale: 0.01, unit: 'A', range: [0, 20], raw: (s, seed) => clampInt((pvPower(s, seed) / 4 / 620) * 100 * (0.95 + 0.1 * noise(seed, s, 40 + m)), 0, 65535) },
  ]),
  { name: 'heatsink_temperature', register: 'holding', address: 64, type: 'int16', scale: 0.1, unit: 'degC', range: [-40, 120], raw: (s, seed) => clampInt(250 + pvPower(s, seed) / 60 + 20 * noise(seed, s, 50), -400, 1200) },
  { name: 'cabinet_temperature', register: 'holding', address: 65, type: 'int16', scale: 0.1, unit: 'degC', range: [-40, 100], raw: (s, seed) => clampInt(220 + pvPower(s, seed) / 120 + 10 * noise(seed, s, 51), -400, 1000) },
  { name: 'energy_total', register: 'holding', address: 70, type: 'uint64', unit: 'Wh', raw: (s, seed) => counter(s, seed, 7, 5_000_000_000) },
  { name: 'energy_today', register: 'holding', address: 74, type: 'uint32', byteOrder: 'CDAB', unit: 'Wh', raw: (s, seed) => counter(s % 600, seed, 7, 0) },
  { name: 'efficiency', register: 'holding', address: 76, type: 'float32', unit: '%', range: [0, 100], raw: (s, seed) => (pvPower(s, seed) === 0 ? 0 : Math.fround(97 + noise(seed, s, 60))) },
  { name: 'ac_power_kw', register: 'holding', address: 78, type: 'float32', byteOrder: 'CDAB', unit: 'kW', range: [0, 30], raw: (s, seed) => Math.fround(pvPower(s, seed) / 1000) },
  { name: 'dc_power_kw', register: 'holding', address: 80, type: 'float64', byteOrder: 'DCBA', unit: 'kW', range: [0, 30], raw: (s, seed) => Math.round(pvPower(s, seed) * 1.02) / 1000 },
  { name: 'power_limit', register: 'holding', address: 100, type: 'uint16', scale: 0.1, unit: '%', writable: true, range: [0, 100], raw: () => 1000 },
  { name: 'insulation_resistance', register: 'input', address: 0, type: 'uint16', unit: 'kOhm', range: [0, 10000], raw: (s, seed) => clampInt(2000 + 500 * noise(seed, Math.floor(s / 60), 70), 0, 65535) },
  { name: 'remote_on', register: 'coil', address: 0, type: 'bool', writable: true, raw: () => true },
  { name: 'derating_enabled', register: 'coil', address: 1, type: 'bool', writable: true, raw: () => false },
  { name: 'grid_connected', register: 'discrete', address: 0, type: 'bool', raw: (s, seed) => pvPower(s, seed) > 0 },
  { name: 'door_open', register: 'discrete', address: 1, type: 'bool', raw: (s, seed) => noise(seed, Math.floor(s / 120), 80) < 0.05 },
];

function faultWord(step: number, seed: number): number {
  // Faults are rare and last a while: decided per 30-step window.
  const w = Math.floor(step / 30);
  let word = 0;
  for (let bit = 0; bit < 8; bit++) if (noise(seed, w, 200 + bit) < 0.03) word |= 1 << bit;
  return word;
}

/** A counter that only grows: about `rate` per step, never less than rate / 2. */
function counter(step: number, seed: number, rate: number, base: number): number {
  return base + (seed % 1000) * 1000 + step * rate + Math.floor(noise(seed, step, 300) * (rate / 2));
}

// ---------------------------------------------------------------------------------------
// Wind turbine: a 3 MW turbine as its controller publishes it (mostly floats).

function wind(step: number, seed: number): number {
  return 3 + 12 * wave(step, seed, 900) + 2 * noise(seed, step, 400);
}
function turbinePower(step: number, seed: number): number {
  const v = wind(step, seed);
  if (v < 3 || v > 25) return 0;
  return Math.min(3000, 3000 * ((v - 3) / 9) ** 3);
}

const f32 = (x: number): number => Math.fround(x);
const wtPoints: SimPoint[] = [
  { name: 'wind_speed', register: 'input', address: 0, type: 'float32', unit: 'm/s', range: [0, 40], raw: (s, seed) => f32(wind(s, seed)) },
  { name: 'wind_direction', register: 'input', address: 2, type: 'float32', unit: 'deg', range: [0, 360], raw: (s, seed) => f32((200 + 40 * wave(s, seed, 1200) + 5 * noise(seed, s, 401)) % 360) },
  { name: 'rotor_speed', register: 'input', address: 4, type: 'float32', unit: 'rpm', range: [0, 20], raw: (s, seed) => f32(turbinePower(s, seed) > 0 ? 8 + (wind(s, seed) - 3) * 0.6 : 0.5) },
  { name: 'generator_speed', register: 'input', address: 6, type: 'float32', unit: 'rpm', range: [0, 2000], raw: (s, seed) => f32(turbinePower(s, seed) > 0 ? (8 + (wind(s, seed) - 3) * 0.6) * 97 : 48) },
  { name: 'active_power', register: 'input', address: 8, type: 'float32', unit: 'kW', range: [0, 3200], raw: (s, seed) => f32(turbinePower(s, seed)) },
  { name: 'reactive_power', register: 'input', address: 10, type: 'float32', unit: 'kvar', range: [-1000, 1000], raw: (s, seed) => f32(turbinePower(s, seed) * 0.05 * (noise(seed, s, 402) - 0.5)) },
  ...[1, 2, 3].map((b): SimPoint => ({ name: `pitch_angle_${b}`, register: 'input', address: 10 + 2 * b, type: 'float32', unit: 'deg', range: [-5, 95], raw: (s, seed) => f32(wind(s, seed) > 12 ? (wind(s, seed) - 12) * 2 + 0.1 * b : 0.1 * b) })),
  { name: 'nacelle_temperature', register: 'input', address: 18, type: 'int16', scale: 0.1, unit: 'degC', range: [-40, 80], raw: (s, seed) => clampInt(180 + 50 * wave(s, seed, 3600) + 10 * noise(seed, s, 403), -400, 800) },
  { name: 'ambient_temperature', register: 'input', address: 19, type: 'int16', scale: 0.1, unit: 'degC', range: [-40, 60], raw: (s, seed) => clampInt(120 + 60 * wave(s, seed, 3600), -400, 600) },
  ...['gearbox_oil', 'gearbox_bearing', 'generator_winding_u', 'generator_winding_v', 'generator_winding_w', 'generator_bearing_de', 'generator_bearing_nde', 'main_bearing', 'converter', 'transformer'].map(
    (n, i): SimPoint => ({ name: `${n}_temperature`, register: 'input', address: 20 + i, type: 'int16', scale: 0.1, unit: 'degC', range: [-40, 150], raw: (s, seed) => clampInt(400 + turbinePower(s, seed) / 10 + 50 * noise(seed, s, 410 + i), -400, 1500) }),
  ),
  { name: 'yaw_position', register: 'input', address: 30, type: 'float32', unit: 'deg', range: [0, 360], raw: (s, seed) => f32((200 + 40 * wave(Math.floor(s / 10) * 10, seed, 1200)) % 360) },
  { name: 'yaw_error', register: 'input', address: 32, type: 'float32', unit: 'deg', range: [-180, 180], raw: (s, seed) => f32(5 * (noise(seed, s, 420) - 0.5)) },
  { name: 'grid_voltage', register: 'input', address: 34, type: 'float32', unit: 'V', range: [0, 800], raw: (s, seed) => f32(690 + 5 * (noise(seed, s, 421) - 0.5)) },
  { name: 'grid_frequency', register: 'input', address: 36, type: 'float32', unit: 'Hz', range: [45, 55], raw: (s, seed) => f32(50 + 0.05 * (noise(seed, s, 422) - 0.5)) },
  ...[1, 2, 3].map((l): SimPoint => ({ name: `grid_current_l${l}`, register: 'input', address: 36 + 2 * l, type: 'float32', unit: 'A', range: [0, 3000], raw: (s, seed) => f32((turbinePower(s, seed) * 1000) / (Math.sqrt(3) * 690) / 1 + 3 * noise(seed, s, 430 + l)) })),
  { name: 'power_setpoint', register: 'holding', address: 0, type: 'float32', unit: 'kW', writable: true, range: [0, 3000], raw: () => 3000 },
  { name: 'state', register: 'holding', address: 2, type: 'uint16', raw: (s, seed) => (turbinePower(s, seed) > 0 ? 5 : wind(s, seed) < 3 ? 2 : 3) },
  { name: 'alarm_word', register: 'holding', address: 3, type: 'uint16', raw: (s, seed) => faultWord(s, seed + 1) },
  ...['overspeed', 'vibration', 'pitch_fault', 'yaw_fault', 'grid_loss', 'converter_trip', 'brake_applied', 'ice_detected'].map(
    (name, bit): SimPoint => ({ name: `alarm_${name}`, register: 'holding', address: 3, type: 'bool', bit, raw: (s, seed) => ((faultWord(s, seed + 1) >> bit) & 1) === 1 }),
  ),
  { name: 'energy_produced', register: 'holding', address: 4, type: 'uint32', unit: 'kWh', raw: (s, seed) => counter(s, seed, 1, 4_000_000) },
  { name: 'operating_hours', register: 'holding', address: 6, type: 'uint32', unit: 'h', raw: (s, seed) => 30_000 + (seed % 100) + Math.floor(s / 3600) },
  { name: 'start_count', register: 'holding', address: 8, type: 'uint16', raw: (s, seed) => (1200 + (seed % 50) + Math.floor(s / 900)) % 65536 },
  { name: 'vibration_tower', register: 'input', address: 44, type: 'float32', unit: 'mm/s', range: [0, 50], raw: (s, seed) => f32(1 + turbinePower(s, seed) / 1000 + noise(seed, s, 440)) },
  { name: 'vibration_drivetrain', register: 'input', address: 46, type: 'float32', unit: 'mm/s', range: [0, 50], raw: (s, seed) => f32(2 + turbinePower(s, seed) / 800 + noise(seed, s, 441)) },
  { name: 'hydraulic_pressure', register: 'input', address: 48, type: 'float32', unit: 'bar', range: [0, 250], raw: (s, seed) => f32(180 + 10 * noise(seed, s, 442)) },
  { name: 'turbine_id', register: 'holding', address: 10, type: 'string', length: 8, raw: (_s, seed) => `WT-${String(seed % 1000).padStart(3, '0')}` },
  { name: 'brake_engaged', register: 'coil', address: 0, type: 'bool', writable: true, raw: () => false },
  { name: 'online', register: 'discrete', address: 0, type: 'bool', raw: (s, seed) => turbinePower(s, seed) > 0 },
];

// ---------------------------------------------------------------------------------------
// Energy meter: a revenue meter, float32 instantaneous values and growing counters.

function meterPower(step: number, seed: number): number {
  return 500 + 1500 * wave(step, seed, 600) + 50 * noise(seed, step, 500);
}

const meterPoints: SimPoint[] = [
  ...[1, 2, 3].map((l): SimPoint => ({ name: `voltage_l${l}`, register: 'input', address: 2 * (l - 1), type: 'float32', unit: 'V', range: [0, 300], raw: (s, seed) => f32(230 + 3 * (noise(seed, s, 510 + l) - 0.5)) })),
  ...[1, 2, 3].map((l): SimPoint => ({ name: `voltage_l${l}_l${(l % 3) + 1}`, register: 'input', address: 4 + 2 * l, type: 'float32', unit: 'V', range: [0, 500], raw: (s, seed) => f32(400 + 5 * (noise(seed, s, 520 + l) - 0.5)) })),
  ...[1, 2, 3].map((l): SimPoint => ({ name: `current_l${l}`, register: 'input', address: 10 + 2 * l, type: 'float32', unit: 'A', range: [0, 5000], raw: (s, seed) => f32((meterPower(s, seed) * 1000) / 3 / 230 * (0.97 + 0.06 * noise(seed, s, 530 + l))) })),
  ...[1, 2, 3].map((l): SimPoint => ({ name: `active_power_l${l}`, register: 'input', address: 16 + 2 * l, type: 'float32', unit: 'kW', range: [0, 2000], raw: (s, seed) => f32(meterPower(s, seed) / 3) })),
  { name: 'active_power', register: 'input', address: 24, type: 'float32', unit: 'kW', range: [0, 5000], raw: (s, seed) => f32(meterPower(s, seed)) },
  { name: 'reactive_power', register: 'input', address: 26, type: 'float32', unit: 'kvar', range: [-2000, 2000], raw: (s, seed) => f32(meterPower(s, seed) * 0.2 * (noise(seed, s, 540) - 0.5)) },
  { name: 'apparent_power', register: 'input', address: 28, type: 'float32', unit: 'kVA', range: [0, 5000], raw: (s, seed) => f32(meterPower(s, seed) * 1.01) },
  { name: 'power_factor', register: 'input', address: 30, type: 'float32', range: [-1, 1], raw: (s, seed) => f32(0.98 + 0.02 * noise(seed, s, 541)) },
  { name: 'frequency', register: 'input', address: 32, type: 'float32', unit: 'Hz', range: [45, 55], raw: (s, seed) => f32(50 + 0.04 * (noise(seed, s, 542) - 0.5)) },
  ...[1, 2, 3].map((l): SimPoint => ({ name: `thd_voltage_l${l}`, register: 'input', address: 32 + 2 * l, type: 'float32', unit: '%', range: [0, 20], raw: (s, seed) => f32(1.5 + noise(seed, s, 550 + l)) })),
  { name: 'energy_import', register: 'holding', address: 0, type: 'uint32', unit: 'kWh', raw: (s, seed) => counter(s, seed, 1, 12_000_000) },
  { name: 'energy_export', register: 'holding', address: 2, type: 'uint32', unit: 'kWh', raw: (s, seed) => counter(Math.floor(s / 10), seed + 1, 1, 300_000) },
  { name: 'reactive_energy_import', register: 'holding', address: 4, type: 'uint32', unit: 'kvarh', raw: (s, seed) => counter(Math.floor(s / 4), seed + 2, 1, 800_000) },
  { name: 'reactive_energy_export', register: 'holding', address: 6, type: 'uint32', unit: 'kvarh', raw: (s, seed) => counter(Math.floor(s / 8), seed + 3, 1, 200_000) },
  { name: 'energy_import_wh', register: 'holding', address: 8, type: 'uint64', byteOrder: 'CDAB', unit: 'Wh', raw: (s, seed) => counter(s, seed, 550, 12_000_000_000) },
  ...[1, 2, 3, 4].map((t): SimPoint => ({ name: `energy_tariff_${t}`, register: 'holding', address: 10 + 2 * t, type: 'uint32', scale: 0.1, unit: 'kWh', raw: (s, seed) => counter(Math.floor(s / 4), seed + 10 + t, 3, 1_000_000 * t) })),
  { name: 'max_demand', register: 'holding', address: 20, type: 'float32', unit: 'kW', range: [0, 5000], raw: (s, seed) => f32(Math.max(...[0, 1, 2, 3, 4].map((k) => meterPower(Math.max(0, s - k * 60), seed)))) },
  { name: 'demand_15min', register: 'holding', address: 22, type: 'float32', unit: 'kW', range: [0, 5000], raw: (s, seed) => f32(meterPower(Math.floor(s / 900) * 900, seed)) },
  { name: 'ct_ratio', register: 'holding', address: 30, type: 'uint16', writable: true, raw: () => 400 },
  { name: 'pt_ratio', register: 'holding', address: 31, type: 'uint16', writable: true, raw: () => 1 },
  { name: 'serial_number', register: 'holding', address: 40, type: 'string', length: 6, raw: (_s, seed) => `EM${String(seed).padStart(8, '0')}` },
  { name: 'status_word', register: 'holding', address: 50, type: 'uint16', raw: (s, seed) => faultWord(s, seed + 2) & 0x7 },
  { name: 'alarm_phase_loss', register: 'holding', address: 50, type: 'bool', bit: 0, raw: (s, seed) => (faultWord(s, seed + 2) & 1) === 1 },
  { name: 'alarm_reverse_power', register: 'holding', address: 50, type: 'bool', bit: 1, raw: (s, seed) => (faultWord(s, seed + 2) & 2) === 2 },
  { name: 'alarm_overvoltage', register: 'holding', address: 50, type: 'bool', bit: 2, raw: (s, seed) => (faultWord(s, seed + 2) & 4) === 4 },
  { name: 'pulse_output', register: 'coil', address: 0, type: 'bool', writable: true, raw: () => true },
  { name: 'temperature', register: 'input', address: 40, type: 'int16', scale: 0.1, unit: 'degC', range: [-40, 85], raw: (s, seed) => clampInt(300 + 50 * noise(seed, Math.floor(s / 30), 560), -400, 850) },
];

// ---------------------------------------------------------------------------------------
// Register bank: a large block of plain registers, for benches (2,000 tags: uint16 ramps and
// float32 pairs alternating).

const bankPoints: SimPoint[] = Array.from({ length: 2000 }, (_, i): SimPoint => {
  const block = Math.floor(i / 2);
  if (i % 2 === 0) return { name: `r${i}`, register: 'holding', address: block * 3, type: 'uint16', scale: 0.1, raw: (s, seed) => (s + i + seed) % 65536 };
  return { name: `r${i}`, register: 'holding', address: block * 3 + 1, type: 'float32', raw: (s, seed) => f32(((s + i + seed) % 1000) / 8) };
});

export const PROFILES: Readonly<Record<ProfileName, SimProfile>> = Object.freeze({
  'pv-inverter': { name: 'pv-inverter', description: '25 kW three-phase PV string inverter (AC/DC, MPPTs, temperatures, state word, fault bits, energy counters)', stepMs: 1000, points: pvPoints },
  'wind-turbine': { name: 'wind-turbine', description: '3 MW wind turbine (wind, rotor and generator speed, power, pitch, temperatures, yaw, alarms)', stepMs: 1000, points: wtPoints },
  'energy-meter': { name: 'energy-meter', description: 'three-phase revenue meter (voltages, currents, powers, import/export counters that only grow)', stepMs: 1000, points: meterPoints },
  'register-bank': { name: 'register-bank', description: '2,000 plain registers (uint16 and float32) for benchmarks', stepMs: 1000, points: bankPoints },
});

export function getProfile(name: string): SimProfile {
  if (!(PROFILE_NAMES as readonly string[]).includes(name)) throw new Error(`unknown profile "${name}", expected one of ${PROFILE_NAMES.join(', ')}`);
  return PROFILES[name as ProfileName];
}

/** The engineering value a client must read for `point` at time `t` from a device with `seed`. */
export function expectedValue(profile: SimProfile, pointName: string, seed: number, t: number): SimValue {
  const p = profile.points.find((x) => x.name === pointName);
  if (!p) throw new Error(`profile ${profile.name} has no point ${pointName}`);
  const raw = p.raw(Math.floor(t / profile.stepMs), seed);
  return typeof raw === 'number' ? createScaler(p.scale ?? 1, 0)(raw) : raw;
}
