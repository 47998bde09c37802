#!/usr/bin/env node
import { parseArgs } from 'node:util';
import type { ModbusSimulator } from './modbus-simulator.js';
import type { OpcuaSimulator } from './opcua-simulator.js';
import { PROFILES, PROFILE_NAMES, type ProfileName } from './profiles.js';

const HELP = `dcmms-sim: simulated plant devices for tests, demos and benches

Usage:
  dcmms-sim modbus --port N --profile NAME [--host 127.0.0.1] [--seed N]
  dcmms-sim modbus --serial PATH --profile NAME [--baud 9600] [--parity even|odd|none] [--unit-ids 1,2,3]
  dcmms-sim opcua  --port N --profile NAME [--seed N] [--update-ms MS] [--user NAME:PASSWORD]

Values are a deterministic function of the seed and the time (they change every second),
so a client can compute what it should read. The process prints one JSON line when ready
({"event":"listening",...}) and stops cleanly on SIGINT/SIGTERM.

Options:
  --port N         TCP port (0 = any free port; default 502 for modbus, 4840 for opcua)
  --host ADDR      address to bind (modbus; default 127.0.0.1)
  --profile NAME   ${PROFILE_NAMES.join(' | ')}
  --seed N         device seed (default 1); on a serial line unit u gets seed + u
  --serial PATH    serve Modbus RTU on a serial device or pty instead of TCP
  --unit-ids LIST  unit ids answering on the serial line (default 1)
  --update-ms MS   OPC-UA: how often values are republished (default 1000)
  --step-ms MS     OPC-UA: how often the modelled values change (default: the profile's, 1000)
  --user N:P       OPC-UA: accept this user name and password (repeatable)
  -h, --help       this text

Profiles:
${PROFILE_NAMES.map((n) => `  ${n.padEnd(14)} ${PROFILES[n].description} (${PROFILES[n].points.length} points)`).join('\n')}
`;

function fail(message: string): never {
  process.stderr.write(`dcmms-sim: ${message}\n\n${HELP}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' },
        profile: { type: 'string' },
        seed: { type: 'string', default: '1' },
        serial: { type: 'string' },
        baud: { type: 'string', default: '9600' },
        parity: { type: 'string', default: 'even' },
        'unit-ids': { type: 'string', default: '1' },
        'update-ms': { type: 'string' },
        'step-ms': { type: 'string' },
        user: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const kind = positionals[0];
  if (kind !== 'modbus' && kind !== 'opcua') fail('expected "modbus" or "opcua"');
  const profile = values.profile as ProfileName | undefined;
  if (!profile || !PROFILE_NAMES.includes(profile)) fail(`expected --profile ${PROFILE_NAMES.join('|')}`);
  const int = (name: string, v: string | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) fail(`--${name}: expected a non-negative integer, got "${v}"`);
    return n;
  };
  const seed = int('seed', values.seed, 1);
  let sim: ModbusSimulator | OpcuaSimulator;
  if (kind === 'modbus' && values.serial) {
    const parity = values.parity;
    if (parity !== 'even' && parity !== 'odd' && parity !== 'none') fail('--parity: expected even, odd or none');
    const units = values['unit-ids'].split(',').map((u) => int('unit-ids', u.trim(), 1));
    const { startRtuSimulator } = await import('./modbus-simulator.js');
    sim = await startRtuSimulator({ path: values.serial, baudRate: int('baud', values.baud, 9600), parity, units: units.map((unitId) => ({ unitId, profile, seed: seed + unitId })) });
    process.stdout.write(`${JSON.stringify({ event: 'listening', protocol: 'modbus-rtu', path: values.serial, units, profile })}\n`);
  } else if (kind === 'modbus') {
    const { startModbusSimulator } = await import('./modbus-simulator.js');
    const s = await startModbusSimulator({ profile, seed, host: values.host, port: int('port', values.port, 502) });
    sim = s;
    process.stdout.write(`${JSON.stringify({ event: 'listening', protocol: 'modbus-tcp', host: s.host, port: s.port, profile })}\n`);
  } else {
    const users: Record<string, string> = {};
    for (const u of values.user ?? []) {
      const i = u.indexOf(':');
      if (i < 1) fail('--user: expected NAME:PASSWORD');
      users[u.slice(0, i)] = u.slice(i + 1);
    }
    const updateMs = values['update-ms'] === undefined ? undefined : int('update-ms', values['update-ms'], 1000);
    // node-opcua is heavy to load: only the OPC-UA simulator pays for it.
    const { startOpcuaSimulator } = await import('./opcua-simulator.js');
    const stepMs = values['step-ms'] === undefined ? undefined : int('step-ms', values['step-ms'], 1000);
    const s = await startOpcuaSimulator({ profile, seed, port: int('port', values.port, 4840), users, ...(updateMs ? { updateIntervalMs: updateMs } : {}), ...(stepMs ? { stepMs } : {}) });
    sim = s;
    process.stdout.write(`${JSON.stringify({ event: 'listening', protocol: 'opcua', endpoint: s.endpoint, port: s.port, profile })}\n`);
  }
  const shutdown = (): void => {
    void sim.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`dcmms-sim: ${(err as Error).message}\n`);
  process.exit(1);
});
