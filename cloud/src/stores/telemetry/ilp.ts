import type { SenderBuffer } from '@questdb/nodejs-client';
import type { TelemetryRow } from '../../ports/telemetry-store.js';

/**
 * Appends rows to an ILP buffer for `table` (ARCHITECTURE.md's columns plus `value_text`).
 * Symbols come first, as ILP requires; a null column is simply left out of the line.
 */
export function appendRows(buffer: SenderBuffer, table: string, rows: readonly TelemetryRow[]): void {
  for (const row of rows) {
    buffer.table(table).symbol('site', row.site);
    if (row.asset !== null) buffer.symbol('asset', row.asset);
    buffer.symbol('tag', row.tag).symbol('quality', row.quality);
    if (row.value !== null) buffer.floatColumn('value', row.value);
    if (row.text !== null) buffer.stringColumn('value_text', row.text);
    buffer.timestampColumn('received_at', row.receivedAt, 'ms');
    buffer.at(row.ts, 'ms');
  }
}
