import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from './engine.js';
import { findJdks, pickJdk } from './java.js';
import { layout } from './layout.js';
import { fetchJars } from './maven.js';
import { ownedPid, removeFile, spawnDetached, stopPid, tailFile, waitUntil } from './processes.js';
import type { EngineSettings } from './settings.js';

export function questdbEngine(s: EngineSettings): Engine {
  const l = layout(s, 'questdb');
  const root = join(l.home, 'root');
  const cacheDir = l.cache(s.questdb.version);
  let jar = '';
  const url = `http://${s.host}:${s.questdb.httpPort}`;

  return {
    name: 'questdb',
    logFile: l.logFile,
    prepare() {
      const lib = fetchJars(cacheDir, 'questdb', [{ groupId: 'org.questdb', artifactId: 'questdb', version: s.questdb.version }]);
      const found = readdirSync(lib).find((f) => /^questdb-.*\.jar$/.test(f));
      if (!found) throw new Error(`no questdb jar in ${lib}`);
      jar = join(lib, found);
    },
    runningPid: () => ownedPid(l.pidFile, root),
    async start() {
      // The newest QuestDB releases are built for the newest Java: take the newest JDK installed.
      const jdk = pickJdk(findJdks(), 17, `QuestDB ${s.questdb.version}`);
      mkdirSync(join(root, 'conf'), { recursive: true });
      writeFileSync(
        join(root, 'conf', 'server.conf'),
        [
          `http.bind.to=${s.host}:${s.questdb.httpPort}`,
          `http.min.net.bind.to=${s.host}:${s.questdb.minHttpPort}`,
          `pg.net.bind.to=${s.host}:${s.questdb.pgPort}`,
          // Writes arrive by ILP over HTTP on the main port; the TCP and UDP listeners stay closed.
          'line.tcp.enabled=false',
          'line.udp.enabled=false',
          'telemetry.enabled=false',
          'http.frozen.clock=false',
          // Idle workers spin, then yield, then nap for thousands of rounds before they sleep: a
          // query every few ms kept them awake. With these and the quiet log below, 150 trivial
          // queries/s cost 0.2 cores instead of 1.7 of a 2-core machine, at the same latency
          // (workers sleep sooner, 1 ms at a time).
          'shared.worker.yield.threshold=10',
          'shared.worker.nap.threshold=20',
          'shared.worker.sleep.threshold=50',
          'shared.worker.sleep.timeout=1',
          '',
        ].join('\n'),
      );
      // Two INFO lines per query (a busy API writes megabytes a minute, unrotated, and the
      // logging thread costs a core): errors and the start-up advisories only.
      writeFileSync(join(root, 'conf', 'log.conf'), ['writers=stdout', 'w.stdout.class=io.questdb.log.LogConsoleWriter', 'w.stdout.level=ERROR,CRITICAL,ADVISORY', ''].join('\n'));
      spawnDetached({
        command: jdk.java,
        args: [
          `-Xmx${s.questdb.heap}`,
          '-XX:+UseParallelGC',
          '--enable-native-access=ALL-UNNAMED,io.questdb',
          '-p',
          jar,
          '-m',
          'io.questdb/io.questdb.ServerMain',
          '-d',
          root,
        ].filter((a) => jdk.major >= 22 || !a.startsWith('--enable-native-access')),
        logFile: l.logFile,
        pidFile: l.pidFile,
      });
    },
    async probe() {
      const res = await fetch(`${url}/exec?query=${encodeURIComponent('select 1')}`, { signal: AbortSignal.timeout(3000) });
      return res.ok;
    },
    async waitReady() {
      try {
        await waitUntil('QuestDB', () => this.probe(), { timeoutMs: s.readyTimeoutMs, alive: () => this.runningPid() !== null, logFile: l.logFile });
      } catch (err) {
        if (/UnsupportedClassVersionError/.test(tailFile(l.logFile, 200))) {
          throw new Error(`QuestDB ${s.questdb.version} needs a newer Java than the newest installed; install a newer JDK or set DCMMS_QUESTDB_VERSION to a 9.3.x release.`, { cause: err });
        }
        throw err;
      }
    },
    async stop() {
      const pid = this.runningPid();
      if (pid !== null) await stopPid(pid, 30_000);
      removeFile(l.pidFile);
    },
    wipe() {
      rmSync(l.home, { recursive: true, force: true });
    },
  };
}
