import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './processes.js';

export interface Artifact {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
}

const COMPLETE = '.complete';

function pom(name: string, artifacts: readonly Artifact[]): string {
  const deps = artifacts
    .map((a) => `    <dependency><groupId>${a.groupId}</groupId><artifactId>${a.artifactId}</artifactId><version>${a.version}</version></dependency>`)
    .join('\n');
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dcmms.engines</groupId>
  <artifactId>${name}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
${deps}
  </dependencies>
</project>
`;
}

function explainMavenFailure(output: string): string {
  if (/UnknownHost|Connection refused|Connect timed out|Network is unreachable|Could not transfer artifact|No route to host/i.test(output)) {
    return 'Maven cannot reach Maven Central (no network to the registry?).';
  }
  if (/Could not find artifact|was not found in/i.test(output)) {
    return 'an artifact is not on Maven Central (wrong version?).';
  }
  return 'Maven failed.';
}

/**
 * Resolves the artifacts and their runtime dependencies into `<cacheDir>/lib`, once: a
 * marker written last means an interrupted fetch is redone, never half-used.
 */
export function fetchJars(cacheDir: string, name: string, artifacts: readonly Artifact[]): string {
  const lib = join(cacheDir, 'lib');
  if (existsSync(join(cacheDir, COMPLETE))) return lib;

  const mvn = run('sh', ['-c', 'command -v mvn'], { timeoutMs: 5000 }).stdout.trim();
  if (!mvn) throw new Error('Maven (mvn) is not installed: it fetches Kafka and QuestDB from Maven Central. Install it (apt-get install maven).');

  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(join(cacheDir, 'pom.xml'), pom(name, artifacts));
  process.stderr.write(`engines: fetching ${artifacts.map((a) => `${a.artifactId}:${a.version}`).join(', ')} with Maven (once)...\n`);
  const r = run(
    mvn,
    ['-B', '-q', '-f', join(cacheDir, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`, '-DincludeScope=runtime'],
    { timeoutMs: 15 * 60_000 },
  );
  if (r.error || r.status !== 0) {
    const output = `${r.stdout}\n${r.stderr}\n${r.error?.message ?? ''}`;
    const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    throw new Error(
      `could not fetch ${name}: ${timedOut ? 'Maven took longer than 15 minutes.' : explainMavenFailure(output)}\n` +
        output.split('\n').filter((l) => l.includes('ERROR')).slice(0, 5).join('\n'),
    );
  }
  if (!existsSync(lib) || readdirSync(lib).length === 0) throw new Error(`could not fetch ${name}: Maven put no jars in ${lib}`);
  writeFileSync(join(cacheDir, COMPLETE), new Date().toISOString());
  return lib;
}
