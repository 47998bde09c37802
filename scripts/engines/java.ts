import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './processes.js';

export interface Jdk {
  readonly java: string;
  readonly major: number;
}

function majorOf(java: string): number | null {
  const r = run(java, ['-version'], { timeoutMs: 20_000 });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  if (!m) return null;
  // Java 8 and older report "1.8"; everything we accept reports its major first.
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}

/** Every JDK this machine has: JAVA_HOME, the JVM folder Debian and Temurin install into, PATH. */
export function findJdks(env: NodeJS.ProcessEnv = process.env): Jdk[] {
  const candidates = new Set<string>();
  if (env['JAVA_HOME']) candidates.add(join(env['JAVA_HOME'], 'bin', 'java'));
  for (const root of ['/usr/lib/jvm', '/opt/java', '/usr/local/lib/jvm']) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root)) candidates.add(join(root, entry, 'bin', 'java'));
  }
  const onPath = run('sh', ['-c', 'command -v java'], { timeoutMs: 5000 }).stdout.trim();
  if (onPath) candidates.add(onPath);

  const seen = new Map<number, Jdk>();
  for (const java of candidates) {
    if (!existsSync(java)) continue;
    const major = majorOf(java);
    if (major !== null && !seen.has(major)) seen.set(major, { java, major });
  }
  return [...seen.values()].sort((a, b) => b.major - a.major);
}

/** The newest installed JDK at or above `minMajor`, or an error that says what to install. */
export function pickJdk(jdks: readonly Jdk[], minMajor: number, forWhat: string): Jdk {
  const jdk = jdks.find((j) => j.major >= minMajor);
  if (jdk) return jdk;
  const found = jdks.length ? jdks.map((j) => `${j.major} (${j.java})`).join(', ') : 'none';
  throw new Error(`${forWhat} needs Java ${minMajor} or newer; JDKs found: ${found}. Install one (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME.`);
}
