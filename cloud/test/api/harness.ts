import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Aedes } from 'aedes';
import type { AddressInfo } from 'node:net';
import { createManualClock, type ManualClock } from '@dcmms/shared';
import { buildApi, type ApiOptionsInput, type ZApp } from '../../src/api/index.js';
import { createInProcessDownlink } from '../../src/downlink/index.js';
import { createSqlCompletenessLedger } from '../../src/ledger/index.js';
import type { CompletenessLedger } from '../../src/ports/completeness-ledger.js';
import type { TelemetryRow, TelemetryStore } from '../../src/ports/telemetry-store.js';
import { createRegistry, type Registry } from '../../src/registry/index.js';
import { createQuestDbTelemetryStore, createSqliteTelemetryStore } from '../../src/stores/telemetry/index.js';
import { postgresTestRegistry, sqliteTestRegistry } from '../support/registry-db.js';
import { TEST_PASSWORD_COST } from '../registry/fixtures.js';

/** Which engines an API test runs on: SQLite files (`npm test`) or PostgreSQL + QuestDB (`test:engines`). */
export type EngineSet = { readonly kind: 'sqlite' } | { readonly kind: 'engines'; readonly env: Record<string, string> };

export interface DownlinkMessage {
  readonly topic: string;
  readonly retain: boolean;
  readonly json: unknown;
}

export interface ApiHarness {
  readonly app: ZApp;
  readonly registry: Registry;
  readonly clock: ManualClock;
  readonly telemetry: TelemetryStore;
  readonly ledger: CompletenessLedger;
  /** What the API published to edges, as the gateway's broker saw it. */
  readonly downlink: DownlinkMessage[];
  readonly broker: Aedes;
  /** The registry database's URL, for a second process-like connection. */
  readonly dbUrl: string;
  /** Every route the app registered (method, url). */
  readonly routes: ReadonlyArray<{ readonly method: string; readonly url: string }>;
  /** Rows written and visible to queries (QuestDB applies its WAL asynchronously). */
  writeTelemetry(rows: readonly TelemetryRow[]): Promise<void>;
  /** The app listening on a loopback port (for streams), started on first call. */
  url(): Promise<string>;
  close(): Promise<void>;
}

export const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);
export const JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export async function startApi(engines: EngineSet, options: Partial<ApiOptionsInput> = {}): Promise<ApiHarness> {
  const clock = createManualClock(T0);
  const dir = mkdtempSync(join(tmpdir(), 'dcmms-api-'));
  const db = engines.kind === 'sqlite' ? await sqliteTestRegistry() : await postgresTestRegistry(engines.env['DATABASE_URL']!);
  const registry = createRegistry(db.database, { clock, passwordCost: TEST_PASSWORD_COST });
  let telemetry: TelemetryStore;
  let waitApplied: () => Promise<void> = async () => undefined;
  if (engines.kind === 'sqlite') {
    telemetry = createSqliteTelemetryStore(join(dir, 'telemetry.db'));
  } else {
    const q = await createQuestDbTelemetryStore({
      httpUrl: engines.env['QUESTDB_HTTP']!,
      pgUrl: engines.env['QUESTDB_PG']!,
      table: `api_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
    });
    telemetry = q;
    waitApplied = () => q.waitApplied(60_000);
  }
  const ledger = createSqlCompletenessLedger(db.database, { now: () => clock.now() });
  const broker = await Aedes.createBroker();
  const downlink: DownlinkMessage[] = [];
  await new Promise<void>((resolve) =>
    broker.subscribe(
      'dcmms/v1/#',
      (packet, cb) => {
        const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
        downlink.push({ topic: packet.topic, retain: packet.retain, json: JSON.parse(payload.toString('utf8')) as unknown });
        cb();
      },
      () => resolve(),
    ),
  );
  const app = buildApi(
    { registry, telemetry, ledger, downlink: createInProcessDownlink(broker) },
    {
      jwtSecret: JWT_SECRET,
      logRequests: false,
      rateLimit: { max: 1_000_000, windowMs: 60_000 },
      loginRateLimit: { max: 1_000_000, windowMs: 60_000 },
      ...options,
    },
  );
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  });
  await app.ready();
  let listening: string | null = null;
  return {
    app,
    registry,
    clock,
    telemetry,
    ledger,
    downlink,
    broker,
    routes,
    dbUrl: db.url,
    async writeTelemetry(rows) {
      await telemetry.write(rows);
      await waitApplied();
    },
    async url() {
      if (listening === null) {
        await app.listen({ host: '127.0.0.1', port: 0 });
        listening = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      }
      return listening;
    },
    async close() {
      // Keep-alive sockets of the test's HTTP client would otherwise hold the close for seconds.
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await telemetry.close();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
