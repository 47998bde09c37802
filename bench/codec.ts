/**
 * npm run bench:codec: the telemetry batch codec against JSON + gzip on a plant profile.
 *
 * Profile: bench/lib/plant-profile.ts (2,000 tags polled every second), 60 s of it, in one
 * batch per poll cycle; plus the same minute cut into 250 ms commit windows and re-batched
 * into 10 s batches, the size a backfill lane could send. Reference: JSON.stringify of the very same
 * batch objects and zlib.gzipSync at its default level, measured in the same process.
 * Everything runs on the main thread (zlib's sync calls included): one core.
 */
import zlib from 'node:zlib';
import { DEFAULT_COMPRESSION, decodeTelemetryBatch, encodeTelemetryBatch } from '@dcmms/shared';
import type { EncodeOptions, TelemetryBatch } from '@dcmms/shared';
import { plantProfile } from './lib/plant-profile.js';
import { figure, formatNumber, printReport, table } from './lib/report.js';
import type { Figure } from './lib/report.js';
import { measureInterleaved } from './lib/timing.js';
import type { Timing } from './lib/timing.js';

const SECONDS = 60;
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const TARGET_READINGS_PER_S = 1_000_000;
const TARGET_BYTES_PER_READING = 6;
const TARGET_RATIO_TO_JSON_GZIP = 0.3;

interface Profile {
  readonly label: string;
  readonly batches: readonly TelemetryBatch[];
  readonly readings: number;
}

function profileOf(label: string, batches: readonly TelemetryBatch[]): Profile {
  return { label, batches, readings: batches.reduce((n, b) => n + b.readings.length, 0) };
}

function rebatch(batches: readonly TelemetryBatch[], seconds: number): TelemetryBatch[] {
  const out: TelemetryBatch[] = [];
  for (let i = 0; i < batches.length; i += seconds) {
    const group = batches.slice(i, i + seconds);
    const last = group[group.length - 1] as TelemetryBatch;
    out.push({ ...last, stream: 'backfill', seq: (group[0] as TelemetryBatch).seq, readings: group.flatMap((b) => b.readings) });
  }
  return out;
}

/** Each 1 s batch cut into commit windows of `ms` by source timestamp (ARCHITECTURE.md: commits every <= 250 ms). */
function split(batches: readonly TelemetryBatch[], ms: number): TelemetryBatch[] {
  const out: TelemetryBatch[] = [];
  let seq = (batches[0] as TelemetryBatch).seq;
  for (const b of batches) {
    const start = Math.min(...b.readings.map((r) => r.ts));
    const windows = new Map<number, TelemetryBatch['readings'][number][]>();
    for (const r of b.readings) {
      const w = Math.floor((r.ts - start) / ms);
      let list = windows.get(w);
      if (list === undefined) windows.set(w, (list = []));
      list.push(r);
    }
    for (const w of [...windows.keys()].sort((x, y) => x - y)) {
      out.push({ ...b, seq: seq++, createdAt: start + (w + 1) * ms + 5, readings: windows.get(w) as TelemetryBatch['readings'] });
    }
  }
  return out;
}

interface Measured {
  readonly encodePerS: number;
  readonly decodePerS: number;
  readonly roundTripPerS: number;
  /** Round trip per second of process CPU time: what one core does, whatever else runs. */
  readonly roundTripPerCpuS: number;
  readonly bytesPerReading: number;
}

const perSecond = (readings: number, ms: number) => (readings / ms) * 1000;

function checkRoundTrip(p: Profile, encoded: readonly Buffer[]): void {
  // The bench must measure real work: the codec's output decodes to what went in.
  p.batches.forEach((b, i) => {
    if (JSON.stringify(decodeTelemetryBatch(encoded[i] as Buffer)) !== JSON.stringify(b)) throw new Error(`round trip failed on batch ${i}`);
  });
}

const bytesPerReading = (p: Profile, bufs: readonly Buffer[]) => bufs.reduce((n, b) => n + b.length, 0) / p.readings;

/** The codec alone with the given options (for the table of compression choices). */
function measureCodec(p: Profile, options: EncodeOptions, runs: number): Measured {
  const encoded = p.batches.map((b) => encodeTelemetryBatch(b, options));
  checkRoundTrip(p, encoded);
  let sink = 0;
  const [enc, dec, rt] = measureInterleaved(
    [
      () => p.batches.forEach((b) => (sink += encodeTelemetryBatch(b, options).length)),
      () => encoded.forEach((e) => (sink += decodeTelemetryBatch(e).readings.length)),
      () => p.batches.forEach((b) => (sink += decodeTelemetryBatch(encodeTelemetryBatch(b, options)).readings.length)),
    ],
    { warmup: 2, runs },
  ) as [Timing, Timing, Timing];
  if (sink < 0) console.log(sink);
  return {
    encodePerS: perSecond(p.readings, enc.medianMs),
    decodePerS: perSecond(p.readings, dec.medianMs),
    roundTripPerS: perSecond(p.readings, rt.medianMs),
    roundTripPerCpuS: perSecond(p.readings, rt.medianCpuMs),
    bytesPerReading: bytesPerReading(p, encoded),
  };
}

/** Codec (default options) and reference, interleaved run by run, over all batches of the profile. */
function measureProfile(p: Profile, options: EncodeOptions | undefined, runs: number): { codec: Measured; json: Measured } {
  const encoded = p.batches.map((b) => encodeTelemetryBatch(b, options));
  const gz = p.batches.map((b) => zlib.gzipSync(JSON.stringify(b)));
  checkRoundTrip(p, encoded);
  let sink = 0;
  const [encC, decC, rtC, encJ, decJ, rtJ] = measureInterleaved(
    [
      () => p.batches.forEach((b) => (sink += encodeTelemetryBatch(b, options).length)),
      () => encoded.forEach((e) => (sink += decodeTelemetryBatch(e).readings.length)),
      () => p.batches.forEach((b) => (sink += decodeTelemetryBatch(encodeTelemetryBatch(b, options)).readings.length)),
      () => p.batches.forEach((b) => (sink += zlib.gzipSync(JSON.stringify(b)).length)),
      () => gz.forEach((e) => (sink += (JSON.parse(zlib.gunzipSync(e).toString('utf8')) as TelemetryBatch).readings.length)),
      () => p.batches.forEach((b) => (sink += (JSON.parse(zlib.gunzipSync(zlib.gzipSync(JSON.stringify(b))).toString('utf8')) as TelemetryBatch).readings.length)),
    ],
    { warmup: 2, runs },
  ) as [Timing, Timing, Timing, Timing, Timing, Timing];
  if (sink < 0) console.log(sink);
  const of = (enc: Timing, dec: Timing, rt: Timing, bufs: readonly Buffer[]): Measured => ({
    encodePerS: perSecond(p.readings, enc.medianMs),
    decodePerS: perSecond(p.readings, dec.medianMs),
    roundTripPerS: perSecond(p.readings, rt.medianMs),
    roundTripPerCpuS: perSecond(p.readings, rt.medianCpuMs),
    bytesPerReading: bytesPerReading(p, bufs),
  });
  return { codec: of(encC, decC, rtC, encoded), json: of(encJ, decJ, rtJ, gz) };
}

/** What the readings hold, so the reader can judge how realistic the profile is. */
function describeValues(p: Profile): string {
  const counts = { decimal: 0, float32: 0, other: 0, boolean: 0, null: 0 };
  for (const b of p.batches) {
    for (const r of b.readings) {
      const v = r.value;
      if (typeof v === 'boolean') counts.boolean++;
      else if (v === null) counts.null++;
      else if (typeof v === 'number' && Number.isFinite(v) && Number(v.toPrecision(12)) === v) counts.decimal++;
      else if (typeof v === 'number' && Math.fround(v) === v) counts.float32++;
      else counts.other++;
    }
  }
  const pct = (n: number) => `${((n / p.readings) * 100).toFixed(1)}%`;
  return `values: ${pct(counts.decimal)} scaled decimals/integers, ${pct(counts.float32)} float32, ${pct(counts.boolean)} booleans, ${pct(counts.null)} null (timeouts), ${pct(counts.other)} other`;
}

function main(): void {
  const plant = plantProfile();
  const oneSecond = profileOf('1 s batches', plant.batches(SECONDS));
  const backfill = profileOf('10 s batches', rebatch(oneSecond.batches, 10));
  const quarter = profileOf('250 ms batches', split(oneSecond.batches, 250));
  const sample = oneSecond.batches[0]?.readings.slice(0, 2).map((r) => JSON.stringify(r)) ?? [];

  // Compression choices on the main profile: size and round-trip speed side by side.
  const choices: EncodeOptions[] = [
    { compression: 'none' },
    ...[1, 3, 6].map((level) => ({ compression: 'deflate' as const, level })),
    ...[3, 4, 5].map((level) => ({ compression: 'brotli' as const, level })),
  ];
  const choiceRows: string[][] = [];
  // Medians of wall time, like the figures below; the last column is per CPU-second.
  for (const options of choices) {
    const m = measureCodec(oneSecond, options, Math.max(3, Math.floor(RUNS / 2)));
    choiceRows.push([
      options.compression === 'none' ? 'none' : `${options.compression} ${options.level}`,
      m.bytesPerReading.toFixed(3),
      formatNumber(m.encodePerS),
      formatNumber(m.decodePerS),
      formatNumber(m.roundTripPerS),
      formatNumber(m.roundTripPerCpuS),
    ]);
  }

  const main1 = measureProfile(oneSecond, undefined, RUNS);
  const main10 = measureProfile(backfill, undefined, RUNS);
  const main250 = measureProfile(quarter, undefined, RUNS);
  const c = main1.codec;
  const j = main1.json;
  const ratio = c.bytesPerReading / j.bytesPerReading;

  const figures: Figure[] = [
    figure({ name: 'encode', unit: 'readings/s', measured: c.encodePerS, reference: j.encodePerS }),
    figure({ name: 'decode', unit: 'readings/s', measured: c.decodePerS, reference: j.decodePerS }),
    figure({
      name: 'round trip (encode+decode)',
      unit: 'readings/s',
      measured: c.roundTripPerS,
      reference: j.roundTripPerS,
      target: '>= 1,000,000 readings/s',
      met: c.roundTripPerS >= TARGET_READINGS_PER_S,
    }),
    figure({
      name: 'round trip per CPU-second',
      unit: 'readings/cpu-s',
      measured: c.roundTripPerCpuS,
      reference: j.roundTripPerCpuS,
      target: '>= 1,000,000 readings/s on one core',
      met: c.roundTripPerCpuS >= TARGET_READINGS_PER_S,
    }),
    figure({
      name: 'wire size',
      unit: 'bytes/reading',
      measured: c.bytesPerReading,
      reference: j.bytesPerReading,
      target: '<= 6 bytes/reading and <= 0.3x JSON+gzip',
      met: c.bytesPerReading <= TARGET_BYTES_PER_READING && ratio <= TARGET_RATIO_TO_JSON_GZIP,
    }),
    figure({ name: '250 ms batches: round trip', unit: 'readings/s', measured: main250.codec.roundTripPerS, reference: main250.json.roundTripPerS }),
    figure({ name: '250 ms batches: wire size', unit: 'bytes/reading', measured: main250.codec.bytesPerReading, reference: main250.json.bytesPerReading }),
    figure({ name: '10 s batches: round trip', unit: 'readings/s', measured: main10.codec.roundTripPerS, reference: main10.json.roundTripPerS }),
    figure({ name: '10 s batches: wire size', unit: 'bytes/reading', measured: main10.codec.bytesPerReading, reference: main10.json.bytesPerReading }),
  ];

  printReport({
    bench: 'codec',
    title: 'telemetry batch codec vs JSON+gzip (reference), medians of interleaved runs',
    preamble: [
      `profile: ${plant.tagCount} tags, 1 s poll, ${SECONDS} s = ${oneSecond.readings.toLocaleString('en-US')} readings in ${oneSecond.batches.length} batches (one per poll cycle)`,
      `also the same readings in ${quarter.batches.length} batches of <= 250 ms (the edge's commit bound) and in ${backfill.batches.length} batches of 10 s (backfill-sized)`,
      describeValues(oneSecond),
      `e.g. ${sample.join(' ')}`,
      `codec default: ${DEFAULT_COMPRESSION.compression} ${DEFAULT_COMPRESSION.level}; reference: JSON.stringify + zlib.gzipSync (level 6) per batch; ${RUNS} runs after warm-up`,
      'readings/s are per second of wall time; readings/cpu-s per second of process CPU time (robust when other work shares the machine)',
      '',
      'compression choices on the 1 s batches (codec only):',
      ...table(['compression', 'bytes/reading', 'encode r/s', 'decode r/s', 'round trip r/s', 'round trip r/cpu-s'], choiceRows, [false, true, true, true, true, true]).split('\n'),
    ],
    figures,
    notes: [
      `wire size ratio to JSON+gzip: ${ratio.toFixed(3)}x (1 s batches), ${(main250.codec.bytesPerReading / main250.json.bytesPerReading).toFixed(3)}x (250 ms), ${(main10.codec.bytesPerReading / main10.json.bytesPerReading).toFixed(3)}x (10 s)`,
    ],
  });
}

main();
