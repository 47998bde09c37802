import { simulatorModbusDevice, simulatorOpcuaDevice, type ProfileName } from '@dcmms/protocol-adapters';
import type { AlarmRuleInput, DeviceConfigInput } from '@dcmms/shared';

/**
 * The demo plant: what runs, what the edge reads, which alarms it evaluates. Pure data; the
 * simulators, the seeding and the tests all build from here.
 */
export interface DemoDevice {
  /** Device name in the site config; its tags are `<name>.<point>`. */
  readonly name: string;
  readonly label: string;
  readonly protocol: 'modbus-tcp' | 'opcua';
  readonly profile: ProfileName;
  /** Simulator seed: fixes serial numbers and the deterministic value curves. */
  readonly seed: number;
}

export const DEMO_DEVICES: readonly DemoDevice[] = Object.freeze([
  { name: 'inv1', label: 'PV inverter 1', protocol: 'modbus-tcp', profile: 'pv-inverter', seed: 101 },
  { name: 'inv2', label: 'PV inverter 2', protocol: 'modbus-tcp', profile: 'pv-inverter', seed: 102 },
  { name: 'meter', label: 'Revenue meter', protocol: 'modbus-tcp', profile: 'energy-meter', seed: 201 },
  { name: 'wt1', label: 'Wind turbine WT1', protocol: 'opcua', profile: 'wind-turbine', seed: 301 },
]);

/** Where each device's simulator listens: `host:port` for Modbus TCP, the endpoint URL for OPC-UA. */
export type DemoEndpoints = Readonly<Record<string, { readonly host: string; readonly port: number; readonly endpoint?: string }>>;

export interface DemoTiming {
  /** Modbus poll interval and OPC-UA sampling/publishing interval. */
  readonly pollIntervalMs: number;
  /** On-delay of the demo alarm: it fires this long after the turbine's first reading. */
  readonly alarmDelayMs: number;
}

/**
 * The alarm that fires shortly after start, every time: the gearbox oil of the simulated
 * turbine never reads below 40.0 degC, and the demo sets the limit at 38 degC. Critical, so
 * the demo's work-order rule opens a corrective work order for the gearbox.
 */
export const DEMO_ALARM = Object.freeze({ ruleId: 'wt1-gearbox-oil-hot', alertKey: 'wt1-gearbox-oil-hot:hi', tag: 'wt1.gearbox_oil_temperature', limit: 38 });

export function demoDeviceConfigs(endpoints: DemoEndpoints, timing: DemoTiming): DeviceConfigInput[] {
  return DEMO_DEVICES.map((d) => {
    const at = endpoints[d.name];
    if (!at) throw new Error(`no simulator endpoint for device ${d.name}`);
    if (d.protocol === 'opcua') {
      return simulatorOpcuaDevice(d.profile, at.endpoint ?? `opc.tcp://${at.host}:${at.port}/UA/dcmms`, {
        name: d.name,
        pollIntervalMs: timing.pollIntervalMs,
        extra: { subscription: { publishingIntervalMs: timing.pollIntervalMs, samplingIntervalMs: timing.pollIntervalMs } },
      });
    }
    // maxGap lets the planner read across the holes of the register map: 4 requests per poll instead of 20.
    return simulatorModbusDevice(d.profile, { host: at.host, port: at.port, unitId: 1 }, { name: d.name, pollIntervalMs: timing.pollIntervalMs, extra: { maxGap: 32, timeoutMs: 1000, retries: 1 } });
  });
}

export function demoAlarmRules(timing: DemoTiming): AlarmRuleInput[] {
  const inverters = DEMO_DEVICES.filter((d) => d.profile === 'pv-inverter');
  return [
    {
      id: DEMO_ALARM.ruleId,
      type: 'threshold',
      tag: DEMO_ALARM.tag,
      hi: { value: DEMO_ALARM.limit, severity: 'critical' },
      deadband: 1,
      onDelayMs: timing.alarmDelayMs,
      message: `Gearbox oil hot (demo limit ${DEMO_ALARM.limit} degC, set low so that this alarm fires shortly after start)`,
    },
    ...inverters.flatMap((d): AlarmRuleInput[] => [
      { id: `${d.name}-heatsink-hot`, type: 'threshold', tag: `${d.name}.heatsink_temperature`, hi: 75, hihi: { value: 85, severity: 'critical' }, deadband: 2, onDelayMs: 10_000, severity: 'high', message: `${d.label}: heatsink hot` },
      { id: `${d.name}-grid-fault`, type: 'trip', tag: `${d.name}.fault_grid_fault`, severity: 'high', message: `${d.label}: grid fault` },
    ]),
    { id: 'meter-frequency', type: 'threshold', tag: 'meter.frequency', lo: 49.8, hi: 50.2, deadband: 0.02, onDelayMs: 5000, severity: 'high', message: 'Grid frequency out of band' },
    { id: 'meter-overvoltage', type: 'trip', tag: 'meter.alarm_overvoltage', severity: 'medium', message: 'Meter reports overvoltage' },
    { id: 'wt1-overspeed', type: 'trip', tag: 'wt1.alarm_overspeed', severity: 'high', message: 'Wind turbine WT1: overspeed' },
    { id: 'wt1-drivetrain-vibration', type: 'threshold', tag: 'wt1.vibration_drivetrain', hi: 8, hihi: { value: 11, severity: 'critical' }, deadband: 0.5, onDelayMs: 10_000, severity: 'high', message: 'Wind turbine WT1: drivetrain vibration' },
    ...DEMO_DEVICES.map((d): AlarmRuleInput => ({ id: `${d.name}-comm-loss`, type: 'comm_loss', device: d.name, afterMs: 30_000, severity: 'high', message: `${d.label} not answering` })),
  ];
}

/**
 * The config the cloud keeps (versioned) and pushes down: devices and alarm rules. The edge's
 * own file holds only what is local to it (uplink, buffer path, HTTP port).
 */
export function demoSiteConfigBody(siteId: string, endpoints: DemoEndpoints, timing: DemoTiming): Record<string, unknown> {
  return {
    site: siteId,
    description: 'dCMMS demo plant: 2 PV inverters and a revenue meter (Modbus TCP), a wind turbine (OPC-UA)',
    devices: demoDeviceConfigs(endpoints, timing),
    alarms: demoAlarmRules(timing),
  };
}

/** Every tag of the demo site, in config order. */
export function demoTagNames(): string[] {
  const none = { host: '127.0.0.1', port: 1 };
  const endpoints = Object.fromEntries(DEMO_DEVICES.map((d) => [d.name, none]));
  return demoDeviceConfigs(endpoints, { pollIntervalMs: 1000, alarmDelayMs: 0 }).flatMap((d) => (d.tags as readonly { name: string }[]).map((t) => t.name));
}
