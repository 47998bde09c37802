import type { AdminSeed } from './seed-admin.js';

/** What a running demo tells its user (and its tests): printed by print.ts. */
export interface DemoSummary {
  readonly mode: 'embedded' | 'engines';
  /** Base URL of the API, without the /api/v1 prefix. */
  readonly apiUrl: string;
  readonly docsUrl: string;
  readonly mqttUrl: string;
  readonly edgeUrl: string;
  readonly dataDir: string;
  readonly logFiles: readonly string[];
  readonly siteId: string;
  readonly tagCount: number;
  readonly login: { readonly username: string; readonly password: string | null; readonly passwordSource: AdminSeed['passwordSource'] };
  /** The asset the example `curl` asks for (the wind turbine). */
  readonly exampleAsset: { readonly id: string; readonly name: string };
  readonly demoAlarm: { readonly ruleId: string; readonly delayMs: number };
  /** What this start created or changed in the registry (empty on a plain restart). */
  readonly seeded: readonly string[];
  /** start:engines: the engines' addresses. */
  readonly engines: Readonly<Record<string, string>> | null;
}

/** A URL a person can open: a wildcard listen address becomes loopback. */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
