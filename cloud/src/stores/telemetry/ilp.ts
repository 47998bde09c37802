import type { TelemetryRow } from '../../ports/telemetry-store.js';

/*
 * ILP text lines for the telemetry table, sent by @questdb/nodejs-client's HTTP transport.
 * Why not the client's buffer API: profiled on the plant profile it costs ~8 us per row (it
 * validates names and writes escaped strings one character at a time), ten times the rest
 * of the worker together. These lines are byte for byte what its protocol-1 buffer writes
 * (cloud/test/telemetry-rows.test.ts checks it against the client), with each distinct
 * symbol escaped once.
 */

const NEEDS_ESCAPE = /[ ,=\n\r\\]/;
const SYMBOL_SPECIAL = /[ ,=\n\r\\]/g;
const STRING_SPECIAL = /[\n\r"\\]/g;
const escapeSymbol = (s: string) => (NEEDS_ESCAPE.test(s) ? s.replace(SYMBOL_SPECIAL, (m) => (m === '\\' ? '\\\\' : `\\${m}`)) : s);
const escapeString = (s: string) => s.replace(STRING_SPECIAL, (m) => (m === '\\' ? '\\\\' : `\\${m}`));

// Site, asset, tag and quality values repeat across batches: escape each once. Bounded.
const MAX_CACHED = 200_000;
const escaped = new Map<string, string>();
function symbol(s: string): string {
  let e = escaped.get(s);
  if (e === undefined) {
    e = escapeSymbol(s);
    if (escaped.size >= MAX_CACHED) escaped.clear();
    escaped.set(s, e);
  }
  return e;
}

/** Epoch ms as µs or ns by appending zeros: exact where multiplying would leave 2^53. */
const scaled = (ms: number, zeros: string) => (ms === 0 ? '0' : `${ms}${zeros}`);

/**
 * One line per row: symbols site, asset (when bound), tag, quality; fields value (omitted
 * when null), value_text (strings only), received_at (µs); designated timestamp in ns.
 */
export function encodeIlpLines(table: string, rows: readonly TelemetryRow[]): Buffer {
  const lines = new Array<string>(rows.length + 1);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    let line = `${table},site=${symbol(r.site)}`;
    if (r.asset !== null) line += `,asset=${symbol(r.asset)}`;
    line += `,tag=${symbol(r.tag)},quality=${symbol(r.quality)} `;
    if (r.value !== null) line += `value=${String(r.value)},`;
    if (r.text !== null) line += `value_text="${escapeString(r.text)}",`;
    lines[i] = `${line}received_at=${scaled(r.receivedAt, '000')}t ${scaled(r.ts, '000000')}`;
  }
  lines[rows.length] = '';
  return Buffer.from(lines.join('\n'), 'utf8');
}

// Protocol 2 (QuestDB 9+): the same lines, but doubles travel as 8 binary bytes after
// `==` and a type byte, which saves formatting every value as text. Pieces that repeat
// (a site's line start, `,tag=...`) are kept as bytes, numbers are written digit by digit.
const DOUBLE_TYPE = 16;

class PieceCache {
  private readonly map = new Map<string, Buffer>();
  constructor(private readonly make: (s: string) => string) {}
  get(key: string): Buffer {
    let b = this.map.get(key);
    if (b === undefined) {
      b = Buffer.from(this.make(key), 'utf8');
      if (this.map.size >= MAX_CACHED) this.map.clear();
      this.map.set(key, b);
    }
    return b;
  }
}

const VALUE = Buffer.from('value==', 'latin1');
const RECEIVED = Buffer.from('received_at=', 'latin1');
/**
 * A protocol-2 encoder for one table. It writes into a buffer it keeps between calls (no
 * 20 MB allocation per flush for the garbage collector): the result is valid until the next
 * call, so one encoder serves one writer that sends a flush before encoding the next.
 */
export function createBinaryIlpEncoder(table: string): (rows: readonly TelemetryRow[]) => Buffer {
  const sites = new PieceCache((site) => `${table},site=${symbol(site)}`);
  const assets = new PieceCache((asset) => `,asset=${symbol(asset)}`);
  const tags = new PieceCache((tag) => `,tag=${symbol(tag)}`);
  const qualities = new PieceCache((q) => `,quality=${symbol(q)} `);
  const digits = Buffer.alloc(24);
  let buf = Buffer.allocUnsafe(64 * 1024);
  return (rows) => {
    let pos = 0;
    // A flush far smaller than the kept buffer lets it go (one huge flush must not pin memory).
    if (buf.length > 4 * 1024 * 1024 && rows.length * 112 < buf.length / 8) buf = Buffer.allocUnsafe(64 * 1024);
    const ensure = (n: number) => {
      if (pos + n <= buf.length) return;
      const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, pos + n));
      buf.copy(bigger, 0, 0, pos);
      buf = bigger;
    };
    // Pieces are short: a loop beats a native copy call per piece.
    const put = (b: Buffer) => {
      const n = b.length;
      ensure(n);
      for (let k = 0; k < n; k++) buf[pos + k] = b[k]!;
      pos += n;
    };
    /** Epoch ms as µs (three zeros appended) followed by `t`. Integers below 2^53: exact. */
    const micros = (ms: number) => {
      ensure(24);
      if (ms === 0) {
        buf[pos++] = 0x30;
      } else {
        let n = ms;
        let k = digits.length;
        while (n > 0) {
          const q = Math.floor(n / 10);
          digits[--k] = 0x30 + (n - q * 10);
          n = q;
        }
        while (k < digits.length) buf[pos++] = digits[k++]!;
        buf[pos++] = 0x30;
        buf[pos++] = 0x30;
        buf[pos++] = 0x30;
      }
      buf[pos++] = 0x74; // t
    };
    for (const r of rows) {
      put(sites.get(r.site));
      if (r.asset !== null) put(assets.get(r.asset));
      put(tags.get(r.tag));
      put(qualities.get(r.quality));
      if (r.value !== null) {
        put(VALUE);
        ensure(10);
        buf[pos++] = DOUBLE_TYPE;
        pos = buf.writeDoubleLE(r.value, pos);
        buf[pos++] = 0x2c; // ,
      }
      if (r.text !== null) {
        const text = `value_text="${escapeString(r.text)}",`;
        ensure(Buffer.byteLength(text, 'utf8'));
        pos += buf.write(text, pos, 'utf8');
      }
      put(RECEIVED);
      micros(r.receivedAt);
      ensure(1);
      buf[pos++] = 0x20; // space
      micros(r.ts);
      ensure(1);
      buf[pos++] = 0x0a; // newline
    }
    return buf.subarray(0, pos);
  };
}

/** Protocol-2 ILP for rows, in a buffer of its own (checked byte for byte against the client's protocol-2 buffer). */
export function encodeIlpBinary(table: string, rows: readonly TelemetryRow[]): Buffer {
  return Buffer.from(createBinaryIlpEncoder(table)(rows));
}
