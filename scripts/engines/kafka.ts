import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_TOPICS } from '@dcmms/shared';
import type { Engine } from './engine.js';
import { findJdks, pickJdk } from './java.js';
import { layout } from './layout.js';
import { fetchJars } from './maven.js';
import { ownedPid, removeFile, run, spawnDetached, stopPid, waitUntil } from './processes.js';
import type { EngineSettings } from './settings.js';

/** Topics the product uses, created up front: a single node means replication factor 1. */
export const TOPIC_PARTITIONS: Readonly<Record<string, number>> = {
  [KAFKA_TOPICS.telemetryRaw]: 6,
  [KAFKA_TOPICS.telemetryInvalid]: 1,
  [KAFKA_TOPICS.alertsEdge]: 3,
  [KAFKA_TOPICS.edgeStatus]: 3,
  [KAFKA_TOPICS.edgeResults]: 3,
  [KAFKA_TOPICS.edgeDownlink]: 3,
};

const LOG4J2 = `status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
logger.kafka.name = kafka
logger.kafka.level = warn
logger.apache.name = org.apache.kafka
logger.apache.level = warn
`;

export function kafkaEngine(s: EngineSettings): Engine {
  const l = layout(s, 'kafka');
  const dataDir = join(l.home, 'data');
  const propsFile = join(l.home, 'server.properties');
  const log4jFile = join(l.home, 'log4j2.properties');
  const cacheDir = l.cache(s.kafka.version);
  const brokers = [`${s.host}:${s.kafka.port}`];
  let lib = '';

  const client = () => new Kafka({ clientId: 'dcmms-engines', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3000 });

  function writeConfig(): void {
    mkdirSync(l.home, { recursive: true });
    writeFileSync(
      propsFile,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@${s.host}:${s.kafka.controllerPort}`,
        `listeners=PLAINTEXT://${s.host}:${s.kafka.port},CONTROLLER://${s.host}:${s.kafka.controllerPort}`,
        `advertised.listeners=PLAINTEXT://${s.host}:${s.kafka.port}`,
        'controller.listener.names=CONTROLLER',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'inter.broker.listener.name=PLAINTEXT',
        `log.dirs=${dataDir}`,
        'num.partitions=3',
        'auto.create.topics.enable=false',
        // One node: every internal topic must make do with one replica.
        'offsets.topic.replication.factor=1',
        'offsets.topic.num.partitions=10',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'share.coordinator.state.topic.replication.factor=1',
        'share.coordinator.state.topic.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        '',
      ].join('\n'),
    );
    writeFileSync(log4jFile, LOG4J2);
  }

  function javaArgs(...rest: string[]): string[] {
    return [`-Dlog4j2.configurationFile=${log4jFile}`, '-cp', `${lib}/*`, ...rest];
  }

  return {
    name: 'kafka',
    logFile: l.logFile,
    prepare() {
      lib = fetchJars(cacheDir, 'kafka', [
        { groupId: 'org.apache.kafka', artifactId: 'kafka_2.13', version: s.kafka.version },
        // Kafka declares slf4j 1.7 but logs through log4j2; bind slf4j 2 to it explicitly.
        { groupId: 'org.slf4j', artifactId: 'slf4j-api', version: '2.0.17' },
        { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-slf4j2-impl', version: '2.24.3' },
        { groupId: 'org.apache.logging.log4j', artifactId: 'log4j-core', version: '2.24.3' },
      ]);
    },
    runningPid: () => ownedPid(l.pidFile, propsFile),
    async start() {
      const jdk = pickJdk(findJdks(), 17, `Kafka ${s.kafka.version}`);
      writeConfig();
      if (!existsSync(join(dataDir, 'meta.properties'))) {
        // KRaft storage is formatted once with a fresh cluster id (Kafka's Uuid is 16 bytes, base64url).
        const clusterId = randomBytes(16).toString('base64url');
        const r = run(jdk.java, javaArgs('kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsFile), { timeoutMs: 120_000 });
        if (r.status !== 0) throw new Error(`Kafka storage format failed:\n${r.stdout}\n${r.stderr}`);
      }
      spawnDetached({
        command: jdk.java,
        args: [`-Xms256m`, `-Xmx${s.kafka.heap}`, '-XX:+UseG1GC', '-Djava.awt.headless=true', ...javaArgs('kafka.Kafka', propsFile)],
        logFile: l.logFile,
        pidFile: l.pidFile,
      });
    },
    async probe() {
      const admin = client().admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        return cluster.brokers.length > 0;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    async waitReady() {
      await waitUntil('Kafka', () => this.probe(), { timeoutMs: s.readyTimeoutMs, alive: () => this.runningPid() !== null, logFile: l.logFile });
      const admin = new Kafka({ clientId: 'dcmms-engines', brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const missing = Object.entries(TOPIC_PARTITIONS).filter(([topic]) => !existing.has(topic));
        if (missing.length) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map(([topic, numPartitions]) => ({ topic, numPartitions, replicationFactor: 1 })),
          });
        }
      } finally {
        await admin.disconnect();
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
