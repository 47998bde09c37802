import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

/**
 * Every environment variable a rendered manifest sets explicitly on a dCMMS container must be
 * one its role documents in its `--help` (the roles validate their environment with zod and
 * list every variable there), so a renamed setting cannot silently stop reaching the process.
 */
const roleHelp: Record<string, () => Promise<string>> = {
  gateway: async () => (await import('../../cloud/src/gateway/main.js')).HELP,
  worker: async () => (await import('../../cloud/src/worker/main.js')).HELP,
  api: async () => (await import('../../cloud/src/api/main.js')).HELP,
  migrate: async () => (await import('../../cloud/src/migrate/main.js')).HELP,
};

// Read by every process (pino), not by a role's own settings.
const COMMON = new Set(['LOG_LEVEL']);

interface Container {
  name?: string;
  image?: string;
  args?: string[];
  env?: Array<{ name: string }>;
}

export async function envProblems(text: string): Promise<string[]> {
  const problems: string[] = [];
  for (const parsed of parseAllDocuments(text)) {
    const doc = parsed.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { template?: { spec?: { containers?: Container[] } } } } | null;
    for (const c of doc?.spec?.template?.spec?.containers ?? []) {
      const role = c.args?.[0];
      if (!role || !c.image?.includes('dcmms') || !roleHelp[role]) continue;
      const help = await roleHelp[role]!();
      for (const { name } of c.env ?? []) {
        if (!COMMON.has(name) && !new RegExp(`\\b${name}\\b`).test(help)) {
          problems.push(`${doc?.kind}/${doc?.metadata?.name} container ${c.name}: ${name} is not a setting of \`dcmms-cloud ${role}\``);
        }
      }
    }
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let failed = 0;
  for (const file of process.argv.slice(2)) {
    const problems = await envProblems(readFileSync(file, 'utf8'));
    for (const p of problems) process.stderr.write(`  ${p}\n`);
    process.stdout.write(`env-names: ${file}: ${problems.length} problems\n`);
    if (problems.length) failed++;
  }
  process.exit(failed ? 1 : 0);
}
