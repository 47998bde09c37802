#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isDcmmsError } from '@dcmms/shared';
import { USAGE } from './usage.js';
// Commands are imported when run: `--help` and `check-config` need not load node-opcua.

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

class UsageError extends Error {}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;
interface Parsed {
  readonly values: Record<string, string | boolean | undefined>;
  readonly positionals: string[];
}

function args(argv: string[], options: OptionSpec, usage: string): Parsed {
  try {
    const parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${usage}`);
  }
}

function required(value: string | boolean | undefined, name: string, usage: string): string {
  if (typeof value !== 'string' || value === '') throw new UsageError(`missing ${name}\n\n${usage}`);
  return value;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      out(USAGE.main);
      return command === undefined ? 2 : 0;
    case 'run': {
      const a = args(rest, { config: { type: 'string', short: 'c' }, 'log-level': { type: 'string' } }, USAGE.run);
      if (a.values['help']) return (out(USAGE.run), 0);
      const { runAgent } = await import('./run-agent.js');
      await runAgent(required(a.values['config'], '--config FILE', USAGE.run), typeof a.values['log-level'] === 'string' ? a.values['log-level'] : undefined);
      return -1;
    }
    case 'check-config': {
      const a = args(rest, { json: { type: 'boolean' } }, USAGE.checkConfig);
      if (a.values['help']) return (out(USAGE.checkConfig), 0);
      const { checkConfig } = await import('./check-config.js');
      return checkConfig(required(a.positionals[0], 'FILE', USAGE.checkConfig), a.values['json'] === true, out, err);
    }
    case 'read': {
      const a = args(rest, { config: { type: 'string', short: 'c' }, device: { type: 'string', short: 'd' }, timeout: { type: 'string' } }, USAGE.read);
      if (a.values['help']) return (out(USAGE.read), 0);
      const timeout = a.values['timeout'] === undefined ? 30_000 : Number(a.values['timeout']);
      if (!Number.isInteger(timeout) || timeout <= 0) throw new UsageError(`--timeout must be a positive integer\n\n${USAGE.read}`);
      const { readDevice } = await import('./read-device.js');
      return readDevice(required(a.values['config'], '--config FILE', USAGE.read), required(a.values['device'], '--device NAME', USAGE.read), timeout, out);
    }
    case 'browse': {
      const a = args(
        rest,
        {
          node: { type: 'string' },
          'max-depth': { type: 'string' },
          'security-mode': { type: 'string' },
          'security-policy': { type: 'string' },
          pki: { type: 'string' },
          'trust-on-first-use': { type: 'boolean' },
          user: { type: 'string' },
        },
        USAGE.browse,
      );
      if (a.values['help']) return (out(USAGE.browse), 0);
      const v = a.values;
      const { browseServer } = await import('./browse.js');
      return browseServer(
        {
          endpoint: required(a.positionals[0], 'ENDPOINT', USAGE.browse),
          ...(typeof v['node'] === 'string' ? { node: v['node'] } : {}),
          ...(typeof v['max-depth'] === 'string' ? { maxDepth: Number(v['max-depth']) } : {}),
          ...(typeof v['security-mode'] === 'string' ? { securityMode: v['security-mode'] } : {}),
          ...(typeof v['security-policy'] === 'string' ? { securityPolicy: v['security-policy'] } : {}),
          ...(typeof v['pki'] === 'string' ? { pki: v['pki'] } : {}),
          ...(v['trust-on-first-use'] === true ? { trustOnFirstUse: true } : {}),
          ...(typeof v['user'] === 'string' ? { user: v['user'] } : {}),
        },
        out,
      );
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE.main}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // run returns -1: the agent keeps the process alive until a signal.
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      err(e.message);
      process.exit(2);
    }
    err(isDcmmsError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
