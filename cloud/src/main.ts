#!/usr/bin/env node
/**
 * `dcmms-cloud <role>`: one entry point for every cloud process. Each role lives in
 * ./<role>/main.ts and exports HELP and run(argv); adding a role is one line below.
 */
interface RoleModule {
  readonly HELP: string;
  run(argv: readonly string[]): Promise<number>;
}

const ROLES: Readonly<Record<string, { readonly summary: string; readonly load: () => Promise<RoleModule> }>> = {
  gateway: { summary: 'MQTT gateway: authenticate sites, validate, produce to Kafka, then PUBACK', load: () => import('./gateway/main.js') },
  worker: { summary: 'ingest worker: Kafka -> QuestDB + completeness ledger; edge alerts/status/results -> registry', load: () => import('./worker/main.js') },
  api: { summary: 'control-room REST API (OpenAPI at /docs) over the registry, QuestDB and the downlink', load: () => import('./api/main.js') },
  migrate: { summary: 'bring the registry database to the latest schema, then exit', load: () => import('./migrate/main.js') },
};

const HELP = `Usage: dcmms-cloud <role> [--help]

Roles:
${Object.entries(ROLES)
  .map(([name, r]) => `  ${name.padEnd(10)} ${r.summary}`)
  .join('\n')}

Each role reads its engine addresses from the environment (KAFKA_BROKERS, QUESTDB_HTTP,
QUESTDB_PG, DATABASE_URL, ...): see 'dcmms-cloud <role> --help'.
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [role, ...rest] = argv;
  if (role === undefined || role === '--help' || role === '-h' || role === 'help') {
    process.stdout.write(HELP);
    return role === undefined ? 2 : 0;
  }
  const entry = Object.hasOwn(ROLES, role) ? ROLES[role] : undefined;
  if (!entry) {
    process.stderr.write(`dcmms-cloud: unknown role ${JSON.stringify(role)}\n\n${HELP}`);
    return 2;
  }
  return (await entry.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Configuration errors name every bad variable; anything else is logged as what it is.
    process.stderr.write(`dcmms-cloud: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
