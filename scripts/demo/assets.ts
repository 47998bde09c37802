import { DEMO_DEVICES, demoTagNames, type DemoDevice } from './plant.js';

/**
 * The demo's asset hierarchy: site -> one asset per device -> its components, every tag of
 * the site bound to exactly one of them. `key` is stored in the asset's metadata (`demoKey`)
 * so a restart finds what it created even if someone renamed it.
 */
export interface AssetSpec {
  readonly key: string;
  readonly parentKey: string | null;
  readonly name: string;
  readonly kind: string;
  readonly manufacturer?: string;
  readonly model?: string;
  readonly serial?: string;
  readonly tags: readonly string[];
}

interface ComponentSpec {
  readonly suffix: string;
  readonly name: string;
  readonly kind: string;
  /** Point names of the device profile (the tag is `<device>.<point>`). */
  readonly points: readonly string[];
}

const COMPONENTS: Readonly<Record<string, readonly ComponentSpec[]>> = {
  'pv-inverter': [
    {
      suffix: 'dc',
      name: 'DC input (MPPT 1-4)',
      kind: 'dc_input',
      points: ['dc_voltage', 'dc_current', 'dc_power', 'dc_power_kw', ...[1, 2, 3, 4].flatMap((m) => [`mppt${m}_voltage`, `mppt${m}_current`]), 'insulation_resistance', 'fault_isolation_fault', 'fault_dc_overvoltage', 'fault_arc_fault'],
    },
    { suffix: 'cooling', name: 'Cooling', kind: 'cooling', points: ['heatsink_temperature', 'cabinet_temperature', 'fault_fan_fault', 'fault_over_temperature'] },
  ],
  'energy-meter': [{ suffix: 'transformers', name: 'Instrument transformers (CT/PT)', kind: 'instrument_transformer', points: ['ct_ratio', 'pt_ratio'] }],
  'wind-turbine': [
    { suffix: 'rotor', name: 'Rotor and pitch', kind: 'rotor', points: ['rotor_speed', 'pitch_angle_1', 'pitch_angle_2', 'pitch_angle_3', 'alarm_pitch_fault', 'alarm_overspeed', 'alarm_brake_applied', 'brake_engaged', 'hydraulic_pressure'] },
    { suffix: 'gearbox', name: 'Gearbox', kind: 'gearbox', points: ['gearbox_oil_temperature', 'gearbox_bearing_temperature', 'main_bearing_temperature', 'vibration_drivetrain'] },
    {
      suffix: 'generator',
      name: 'Generator',
      kind: 'generator',
      points: ['generator_speed', 'generator_winding_u_temperature', 'generator_winding_v_temperature', 'generator_winding_w_temperature', 'generator_bearing_de_temperature', 'generator_bearing_nde_temperature'],
    },
    { suffix: 'yaw', name: 'Yaw system', kind: 'yaw', points: ['yaw_position', 'yaw_error', 'wind_direction', 'alarm_yaw_fault'] },
    { suffix: 'converter', name: 'Converter and transformer', kind: 'converter', points: ['converter_temperature', 'transformer_temperature', 'alarm_converter_trip', 'grid_current_l1', 'grid_current_l2', 'grid_current_l3'] },
  ],
};

const DEVICE_ASSET: Readonly<Record<string, { readonly kind: string; readonly model: string }>> = {
  'pv-inverter': { kind: 'inverter', model: 'DCMMS-PV-25K' },
  'energy-meter': { kind: 'meter', model: 'DCMMS-EM-3P' },
  'wind-turbine': { kind: 'wind_turbine', model: 'DCMMS-WT-3MW' },
};

const serialOf = (d: DemoDevice): string => `${d.profile === 'wind-turbine' ? 'WT' : d.profile === 'energy-meter' ? 'EM' : 'SN'}${String(d.seed).padStart(8, '0')}`;

export function demoAssetTree(): AssetSpec[] {
  const all = demoTagNames();
  const out: AssetSpec[] = [];
  for (const d of DEMO_DEVICES) {
    const deviceTags = all.filter((t) => t.startsWith(`${d.name}.`));
    const components = COMPONENTS[d.profile] ?? [];
    const claimed = new Set(components.flatMap((c) => c.points.map((p) => `${d.name}.${p}`)));
    const base = DEVICE_ASSET[d.profile]!;
    out.push({ key: d.name, parentKey: null, name: d.label, kind: base.kind, manufacturer: 'dCMMS simulators', model: base.model, serial: serialOf(d), tags: deviceTags.filter((t) => !claimed.has(t)) });
    for (const c of components) {
      out.push({ key: `${d.name}-${c.suffix}`, parentKey: d.name, name: `${d.label}: ${c.name}`, kind: c.kind, tags: c.points.map((p) => `${d.name}.${p}`) });
    }
  }
  return out;
}

/** The asset the printed example queries (the turbine: its values change every second). */
export const EXAMPLE_ASSET_KEY = 'wt1';
/** The asset the demo alarm belongs to. */
export const DEMO_ALARM_ASSET_KEY = 'wt1-gearbox';
