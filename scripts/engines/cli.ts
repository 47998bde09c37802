import { parseArgs } from 'node:util';
import { down, status, up } from './engines.js';
import { ENGINE_NAMES, engineEnv, loadSettings, type EngineName } from './settings.js';

const HELP = `Usage: npm run engines:<up|down|status> [-- options]
       tsx scripts/engines/cli.ts <up|down|status|env> [options]

Runs the real engines the integration tests and 'npm run start:engines' use, without
Docker: Apache Kafka (KRaft, single node) and QuestDB fetched from Maven Central into
.engines/cache (once), and a private PostgreSQL from Debian's binaries. Everything
listens on 127.0.0.1 only; data, logs and pid files live under .engines/.

Commands:
  up        fetch what is missing, start what is not running, wait until each answers,
            then print the settings as environment lines (KAFKA_BROKERS=..., ...)
  down      stop the engines 'up' started (data is kept unless --wipe)
  status    show which engines run and answer; exit 0 only when all do
  env       print the environment lines without starting anything

Options:
  --only LIST   comma-separated subset of: ${ENGINE_NAMES.join(', ')}
  --wipe        with 'down': also delete the engines' data (not the fetched jars)
  -h, --help    this help

Environment (defaults in brackets):
  DCMMS_ENGINES_DIR [<repo>/.engines]       DCMMS_ENGINES_PORT_OFFSET [0]
  DCMMS_KAFKA_PORT [19092]  DCMMS_KAFKA_CONTROLLER_PORT [19093]  DCMMS_KAFKA_VERSION [4.3.1]
  DCMMS_QUESTDB_HTTP_PORT [19000]  DCMMS_QUESTDB_PG_PORT [18812]  DCMMS_QUESTDB_VERSION [9.3.4]
  DCMMS_POSTGRES_PORT [15432]  DCMMS_POSTGRES_PASSWORD [dcmms]  PG_BIN [newest /usr/lib/postgresql/*/bin]
  JAVA_HOME (the newest JDK found is used otherwise)

Example: eval "$(npm run -s engines:up)" && echo $KAFKA_BROKERS
`;

function parseOnly(raw: string | undefined): EngineName[] | undefined {
  if (raw === undefined) return undefined;
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !(ENGINE_NAMES as readonly string[]).includes(n));
  if (bad.length) throw new Error(`--only: unknown engine ${bad.join(', ')} (expected ${ENGINE_NAMES.join(', ')})`);
  return names as EngineName[];
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { only: { type: 'string' }, wipe: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(HELP);
    return command || values.help ? 0 : 2;
  }
  const settings = loadSettings();
  const only = parseOnly(values.only);
  const log = (line: string) => process.stderr.write(`engines: ${line}\n`);
  const printEnv = () => {
    for (const [k, v] of Object.entries(engineEnv(settings))) process.stdout.write(`${k}=${v}\n`);
  };

  switch (command) {
    case 'up':
      await up(settings, only, log);
      printEnv();
      return 0;
    case 'down':
      await down(settings, only, { wipe: values.wipe ?? false }, log);
      return 0;
    case 'status': {
      const rows = await status(settings, only);
      for (const r of rows) log(`${r.name.padEnd(8)} ${r.pid === null ? 'stopped' : `pid ${r.pid}, ${r.answering ? 'answering' : 'NOT answering'}`}`);
      printEnv();
      return rows.every((r) => r.answering) ? 0 : 3;
    }
    case 'env':
      printEnv();
      return 0;
    default:
      process.stderr.write(`unknown command ${JSON.stringify(command)}\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`engines: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
