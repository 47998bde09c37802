import { DcmmsError, describeError, type AlertEvent, type GapRecord } from '@dcmms/shared';
import type { CompletenessLedger, ReceivedBatch } from '../ports/completeness-ledger.js';
import type { AlertEventSink, EdgeResultSink, SiteStatusSink } from '../ports/edge-events.js';
import type { SiteDirectory } from '../ports/site-directory.js';
import type { TelemetryRow, TelemetryStore } from '../ports/telemetry-store.js';
import { rowsOfBatch } from '../stores/telemetry/rows.js';
import { isPermanentFailure } from './errors.js';
import type { AcceptedUplink } from './messages.js';

export interface ApplierPorts {
  readonly store?: TelemetryStore;
  readonly ledger?: CompletenessLedger;
  /** Tag -> asset bindings; rows get a null asset without it. */
  readonly directory?: SiteDirectory;
  readonly alerts?: AlertEventSink;
  readonly status?: SiteStatusSink;
  readonly results?: EdgeResultSink;
}

export interface ApplyResult {
  readonly rows: number;
  readonly batches: number;
  /** Messages a sink refused for good: the caller keeps them as dead letters and moves on. */
  readonly refused: ReadonlyArray<{ readonly item: AcceptedUplink; readonly error: unknown }>;
}

export interface UplinkApplier {
  /**
   * Applies a group of accepted messages, in order per site. Resolves when all are durably
   * applied (or refused for good); throws on a transient failure, after which the caller
   * applies the same group again: every step is idempotent.
   */
  apply(items: readonly AcceptedUplink[]): Promise<ApplyResult>;
}

const missingPort = (what: string) => new Error(`no ${what} is wired into this intake`);

/**
 * The one place where accepted uplink messages reach the stores and sinks, shared by the
 * Kafka workers and the embedded gateway, so both modes run the same code behind the ports.
 * Telemetry first (rows, then the ledger: a batch counts as received only once its rows are
 * in), then alert events, site status and edge results.
 */
export function createUplinkApplier(ports: ApplierPorts): UplinkApplier {
  async function assetResolvers(sites: Iterable<string>): Promise<Map<string, (tag: string) => string | null>> {
    const out = new Map<string, (tag: string) => string | null>();
    for (const site of sites) {
      const info = ports.directory ? await ports.directory.site(site) : null;
      out.set(site, info ? (tag) => info.assetOf(tag) : () => null);
    }
    return out;
  }

  /** Applies one by one so a permanently refused message is singled out and the rest still land. */
  async function eachOrRefuse(items: readonly AcceptedUplink[], fn: (item: AcceptedUplink) => Promise<void>, refused: Array<{ item: AcceptedUplink; error: unknown }>) {
    for (const item of items) {
      try {
        await fn(item);
      } catch (err) {
        if (!isPermanentFailure(err)) throw err;
        refused.push({ item, error: err });
      }
    }
  }

  return {
    async apply(items) {
      const refused: Array<{ item: AcceptedUplink; error: unknown }> = [];
      const batches = items.filter((i) => i.uplink.kind === 'batch');
      const gaps: GapRecord[] = [];
      for (const i of items) if (i.uplink.kind === 'gap') gaps.push(i.uplink.gap);

      let rowCount = 0;
      if (batches.length > 0 || gaps.length > 0) {
        if (!ports.store || !ports.ledger) throw missingPort('telemetry store and ledger');
        const assets = await assetResolvers(new Set(batches.map((b) => b.site)));
        const rows: TelemetryRow[] = [];
        const received: ReceivedBatch[] = [];
        for (const item of batches) {
          if (item.uplink.kind !== 'batch') continue;
          const batch = item.uplink.batch;
          const batchRows = rowsOfBatch(batch, item.receivedAt, assets.get(item.site));
          for (const r of batchRows) rows.push(r);
          let fromTs: number | null = null;
          let toTs: number | null = null;
          for (const r of batch.readings) {
            if (fromTs === null || r.ts < fromTs) fromTs = r.ts;
            if (toTs === null || r.ts > toTs) toTs = r.ts;
          }
          received.push({ site: batch.site, stream: batch.stream, seq: batch.seq, readings: batch.readings.length, fromTs, toTs, receivedAt: item.receivedAt });
        }
        if (rows.length > 0) await ports.store.write(rows);
        if (received.length > 0) await ports.ledger.recordBatches(received);
        if (gaps.length > 0) await ports.ledger.recordGaps(gaps);
        rowCount = rows.length;
      }

      const alertItems = items.filter((i) => i.uplink.kind === 'alerts');
      if (alertItems.length > 0) {
        const sink = ports.alerts;
        if (!sink) throw missingPort('alert event sink');
        const all: AlertEvent[] = alertItems.flatMap((i) => (i.uplink.kind === 'alerts' ? [...i.uplink.events] : []));
        try {
          await sink.applyAlertEvents(all);
        } catch (err) {
          if (!isPermanentFailure(err)) throw err;
          // Somebody's message is refused for good: find whose, apply the others.
          await eachOrRefuse(alertItems, (i) => sink.applyAlertEvents(i.uplink.kind === 'alerts' ? i.uplink.events : []), refused);
        }
      }

      const statusItems = items.filter((i) => i.uplink.kind === 'status');
      if (statusItems.length > 0) {
        const sink = ports.status;
        if (!sink) throw missingPort('site status sink');
        await eachOrRefuse(statusItems, (i) => (i.uplink.kind === 'status' ? sink.applySiteStatus(i.uplink.status) : Promise.resolve()), refused);
      }

      const resultItems = items.filter((i) => i.uplink.kind === 'command-result' || i.uplink.kind === 'config-result');
      if (resultItems.length > 0) {
        const sink = ports.results;
        if (!sink) throw missingPort('edge result sink');
        await eachOrRefuse(
          resultItems,
          (i) =>
            i.uplink.kind === 'command-result' ? sink.applyCommandResult(i.uplink.result) : i.uplink.kind === 'config-result' ? sink.applyConfigResult(i.uplink.result) : Promise.resolve(),
          refused,
        );
      }
      return { rows: rowCount, batches: batches.length, refused };
    },
  };
}

/** The reason text a refused message is dead-lettered with. */
export function refusalReason(error: unknown): { code: string; reason: string } {
  return { code: error instanceof DcmmsError ? error.code : 'DCMMS_UPLINK_REFUSED', reason: describeError(error) };
}
