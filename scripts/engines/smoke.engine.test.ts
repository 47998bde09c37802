import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { Sender } from '@questdb/nodejs-client';
import { describe, expect, inject, it } from 'vitest';

const env = inject('engines');

describe('engines answer through the clients the product uses', () => {
  it('kafka: kafkajs produces with acks=all and a consumer group reads it back', async () => {
    const kafka = new Kafka({ clientId: 'smoke', brokers: env['KAFKA_BROKERS']!.split(','), logLevel: logLevel.NOTHING });
    const topic = `smoke-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent = Array.from({ length: 50 }, (_, i) => ({ key: `site-${i % 3}`, value: `reading-${i}` }));
    await producer.send({ topic, acks: -1, messages: sent });

    const consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${sent.length} messages arrived`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          received.push(message.value!.toString());
          if (received.length === sent.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
    expect(received.sort()).toEqual(sent.map((m) => m.value).sort());
  });

  it('questdb: rows written over ILP/HTTP read back over PG wire once the WAL has applied', async () => {
    const table = `smoke_${randomUUID().replaceAll('-', '')}`;
    const sender = await Sender.fromConfig(`http::addr=${new URL(env['QUESTDB_HTTP']!).host};auto_flush=off`);
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 100; i++) {
      await sender.table(table).symbol('tag', `t${i % 4}`).floatColumn('value', i / 10).at(BigInt(t0 + i * 1000) * 1000n, 'us');
    }
    await sender.flush();
    await sender.close();

    const client = new pg.Client({ connectionString: env['QUESTDB_PG'] });
    await client.connect();
    try {
      // WAL tables apply asynchronously: wait until the writer caught up with the sequencer.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const r = await client.query<{ writerTxn: string; sequencerTxn: string }>(
          `select "writerTxn", "sequencerTxn" from wal_tables() where name = $1`,
          [table],
        );
        const row = r.rows[0];
        if (row && Number(row.writerTxn) >= Number(row.sequencerTxn) && Number(row.sequencerTxn) > 0) break;
        if (Date.now() > deadline) throw new Error(`WAL of ${table} not applied in 30 s: ${JSON.stringify(row)}`);
        await sleep(100);
      }
      const r = await client.query<{ n: string; total: number }>(`select count() n, sum(value) total from "${table}"`);
      expect(Number(r.rows[0]!.n)).toBe(100);
      expect(r.rows[0]!.total).toBeCloseTo(495, 6);
      await client.query(`drop table "${table}"`);
    } finally {
      await client.end();
    }
  });

  it('postgres: a transaction round trip', async () => {
    const client = new pg.Client({ connectionString: env['DATABASE_URL'] });
    await client.connect();
    const table = `smoke_${randomUUID().replaceAll('-', '')}`;
    try {
      await client.query('begin');
      await client.query(`create table ${table} (id int primary key, note text not null)`);
      await client.query(`insert into ${table} values ($1, $2), ($3, $4)`, [1, 'inverter', 2, 'meter']);
      await client.query('commit');
      const r = await client.query<{ note: string }>(`select note from ${table} order by id`);
      expect(r.rows.map((x) => x.note)).toEqual(['inverter', 'meter']);
    } finally {
      await client.query(`drop table if exists ${table}`);
      await client.end();
    }
  });
});
