import { SenderOptions, createBuffer } from '@questdb/nodejs-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCleanText, type TelemetryBatch } from '@dcmms/shared';
import { checkTableName, encodeIlpBinary, encodeIlpLines, rowsOfBatch, storedValue, telemetryTableDdl } from '../src/stores/telemetry/index.js';

describe('telemetry row mapping', () => {
  it('stores numbers as they are, booleans as 0/1, strings as text, non-finite and missing as null', () => {
    expect(storedValue(230.10000000000002)).toEqual({ value: 230.10000000000002, text: null });
    expect(storedValue(-0)).toEqual({ value: -0, text: null });
    expect(storedValue(true)).toEqual({ value: 1, text: null });
    expect(storedValue(false)).toEqual({ value: 0, text: null });
    expect(storedValue('SUN2000')).toEqual({ value: null, text: 'SUN2000' });
    expect(storedValue(Number.NaN)).toEqual({ value: null, text: null });
    expect(storedValue(-Infinity)).toEqual({ value: null, text: null });
    expect(storedValue(null)).toEqual({ value: null, text: null });
  });

  it('turns a batch into rows with the site, the asset binding and the receive time', () => {
    const batch: TelemetryBatch = {
      site: 'pv-1', stream: 'backfill', seq: 7, createdAt: 1000,
      readings: [{ tag: 'inv1.p', ts: 990, value: 12.5, quality: 'good' }, { tag: 'inv1.t', ts: 991, value: null, quality: 'bad', reason: 'timeout' }],
    };
    expect(rowsOfBatch(batch, 5000, (tag) => (tag === 'inv1.p' ? 'inverter-1' : null))).toEqual([
      { site: 'pv-1', asset: 'inverter-1', tag: 'inv1.p', ts: 990, value: 12.5, text: null, quality: 'good', receivedAt: 5000 },
      { site: 'pv-1', asset: null, tag: 'inv1.t', ts: 991, value: null, text: null, quality: 'bad', receivedAt: 5000 },
    ]);
  });

  it('writes ILP lines with symbols first, absent columns left out, received_at in µs, the designated timestamp in ns', () => {
    const lines = encodeIlpLines('telemetry', [
      { site: 'pv-1', asset: 'inv 1', tag: 'a,b=c', ts: 1_767_225_600_123, value: 1.5, text: null, quality: 'good', receivedAt: 1_767_225_601_000 },
      { site: 'pv-1', asset: null, tag: 'model', ts: 1_767_225_600_124, value: null, text: 'say "hi"', quality: 'uncertain', receivedAt: 1_767_225_601_000 },
    ]);
    expect(lines.toString('utf8').split('\n')).toEqual([
      'telemetry,site=pv-1,asset=inv\\ 1,tag=a\\,b\\=c,quality=good value=1.5,received_at=1767225601000000t 1767225600123000000',
      'telemetry,site=pv-1,tag=model,quality=uncertain value_text="say \\"hi\\"",received_at=1767225601000000t 1767225600124000000',
      '',
    ]);
  });

  it.each([
    ['1', encodeIlpLines],
    ['2', encodeIlpBinary],
  ] as const)('protocol %s: writes byte for byte what the QuestDB client\'s own buffer writes, for any rows', async (version, encode) => {
    const options = await SenderOptions.fromConfig(`http::addr=127.0.0.1:9;protocol_version=${version};init_buf_size=1048576`);
    // Tag and asset names are clean text (the codec and schemas refuse control characters).
    const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter(isCleanText);
    const row = fc.record({
      site: fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/),
      asset: fc.option(text, { nil: null }),
      tag: text,
      ts: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      value: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
      text: fc.option(fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => s.isWellFormed()), { nil: null }),
      quality: fc.constantFrom('good' as const, 'uncertain' as const, 'bad' as const),
      receivedAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), (rows) => {
        const buffer = createBuffer(options);
        for (const r of rows) {
          buffer.table('telemetry').symbol('site', r.site);
          if (r.asset !== null) buffer.symbol('asset', r.asset);
          buffer.symbol('tag', r.tag).symbol('quality', r.quality);
          if (r.value !== null) buffer.floatColumn('value', r.value);
          if (r.text !== null) buffer.stringColumn('value_text', r.text);
          buffer.timestampColumn('received_at', r.receivedAt, 'ms');
          buffer.at(r.ts, 'ms');
        }
        expect(encode('telemetry', rows).toString('hex')).toBe(rows.length ? buffer.toBufferView().toString('hex') : '');
      }),
      { numRuns: 300 },
    );
  });

  it('creates the table of ARCHITECTURE.md (WAL, daily partitions, dedup on ts+site+tag) and refuses odd table names', () => {
    const ddl = telemetryTableDdl('telemetry');
    expect(ddl).toContain('TIMESTAMP(ts) PARTITION BY DAY WAL');
    expect(ddl).toContain('DEDUP UPSERT KEYS(ts, site, tag)');
    expect(ddl).toContain('ts TIMESTAMP, site SYMBOL, asset SYMBOL, tag SYMBOL');
    expect(() => checkTableName('x"; drop table y; --')).toThrow(/letters, digits/);
  });
});
