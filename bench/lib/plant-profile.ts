import type { Reading, TelemetryBatch } from '@dcmms/shared';
import { Random } from './random.js';

/**
 * A PV plant as the edge sees it: 2,000 tags polled every second, values shaped the way
 * devices produce them (ARCHITECTURE.md, "Values as devices produce them"):
 *
 *   33 inverters x 48 tags (Modbus TCP, 3 requests each): registers times a decimal scale
 *      (0.1 V, 0.01 A, 0.001 pf), energy counters that only grow, a state word, fault bits
 *   8 string-combiner boxes x 24 string currents (OPC-UA, float32 ADC values)
 *   2 revenue meters x 32 tags (OPC-UA, float32; energy registers as decimals)
 *   1 weather station x 20 tags (mostly float32)
 *   70 trackers x 2 tags (angle at 0.1 deg, a "stowed" bit)
 *
 * Inverters 1-24 are scaled by our Modbus adapter, which divides (`raw / 10`, giving
 * 230.1); 25-33 come through a vendor gateway that multiplies (`raw * 0.1`, giving
 * 230.10000000000002). Both are exact decimals to the codec.
 *
 * Timing: devices are polled in parallel, the requests of one device one after another;
 * the readings of one request share its timestamp; requests are a few ms apart with jitter,
 * so the interleaving of devices changes from one cycle to the next. Now and then a request
 * times out and yields `bad` readings with a null value and a reason.
 */

type Source = (cycle: number, rng: Random) => number | boolean;

interface TagModel {
  readonly tag: string;
  readonly source: Source;
}

interface Request {
  readonly device: number;
  readonly index: number;
  readonly tags: readonly TagModel[];
}

interface Device {
  readonly requests: readonly Request[];
  /** ms after the cycle start at which its first request completes. */
  readonly offsetMs: number;
}

export interface PlantProfile {
  readonly tagCount: number;
  readonly site: string;
  /** `seconds` one-second batches, as the edge commits them (one per poll cycle). */
  batches(seconds: number, startMs?: number): TelemetryBatch[];
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** Slowly varying analog: a random walk around `base` plus measurement noise, quantised. */
function analog(rng: Random, base: number, walk: number, noise: number, quantise: (x: number) => number): Source {
  let level = base * (1 + 0.05 * (rng.next() - 0.5));
  return (_cycle, r) => {
    level += walk * r.gaussian();
    return quantise(level + noise * r.gaussian());
  };
}

/** Register value `raw` scaled the two ways adapters do it. */
const divScale = (decimals: number) => (x: number) => Math.round(x * 10 ** decimals) / 10 ** decimals;
const mulScale = (decimals: number) => {
  const step = 10 ** -decimals;
  return (x: number) => Math.round(x / step) * step;
};
const f32 = (x: number) => Math.fround(x);

function counter(rng: Random, start: number, perSecond: number, quantise: (x: number) => number): Source {
  let total = start * (1 + rng.next());
  return (_cycle, r) => {
    total += perSecond * (0.8 + 0.4 * r.next());
    return quantise(total);
  };
}

function rareFlip(rng: Random, p: number, initial: boolean): Source {
  let state = initial;
  return (_cycle, r) => {
    if (r.chance(p)) state = !state;
    return state;
  };
}

function smallState(values: readonly number[], p: number): Source {
  let i = 0;
  return (_cycle, r) => {
    if (r.chance(p)) i = r.int(0, values.length - 1);
    return values[i] as number;
  };
}

function inverter(rng: Random, id: number): Device {
  const name = `inv-${pad(id)}`;
  // Two construction phases: the second one's inverters sit behind a vendor gateway.
  const scale = id <= 24 ? divScale : mulScale;
  const t = (suffix: string, source: Source): TagModel => ({ tag: `${name}/${suffix}`, source });
  const acPower = 850 + 100 * rng.next();
  const ac = [
    t('ac_power_kw', analog(rng, acPower, 2, 1.5, scale(1))),
    t('ac_reactive_kvar', analog(rng, 40, 0.5, 0.8, scale(1))),
    t('ac_apparent_kva', analog(rng, acPower + 5, 2, 1.5, scale(1))),
    t('power_factor', analog(rng, 0.995, 0.0002, 0.0008, scale(3))),
    t('grid_freq_hz', analog(rng, 50, 0.002, 0.004, scale(2))),
    t('ac_v_l1', analog(rng, 400, 0.05, 0.3, scale(1))),
    t('ac_v_l2', analog(rng, 400, 0.05, 0.3, scale(1))),
    t('ac_v_l3', analog(rng, 400, 0.05, 0.3, scale(1))),
    t('ac_i_l1', analog(rng, 1250, 2, 1.2, scale(2))),
    t('ac_i_l2', analog(rng, 1250, 2, 1.2, scale(2))),
    t('ac_i_l3', analog(rng, 1250, 2, 1.2, scale(2))),
    t('energy_today_kwh', counter(rng, 3000, 0.25, scale(1))),
    t('energy_total_kwh', counter(rng, 9_000_000, 0.25, Math.floor)),
    t('operating_hours', counter(rng, 20_000, 1 / 3600, Math.floor)),
    t('grid_connected', rareFlip(rng, 0.0002, true)),
    t('derating_pct', smallState([100, 100, 100, 90, 80], 0.001)),
  ];
  const dc = [t('dc_power_kw', analog(rng, acPower * 1.02, 2, 1.5, scale(1)))];
  for (let m = 1; m <= 4; m++) {
    dc.push(t(`mppt${m}_v`, analog(rng, 1100, 0.3, 0.5, scale(1))));
    dc.push(t(`mppt${m}_i`, analog(rng, 200, 0.3, 0.3, scale(2))));
    dc.push(t(`mppt${m}_p_kw`, analog(rng, 215, 0.5, 0.5, scale(1))));
  }
  dc.push(t('insulation_kohm', analog(rng, 2500, 1, 2, Math.round)));
  dc.push(t('bus_v', analog(rng, 1150, 0.3, 0.5, scale(1))));
  dc.push(t('leakage_ma', analog(rng, 35, 0.1, 0.4, scale(1))));
  const status = [
    t('temp_internal_c', analog(rng, 45, 0.02, 0.05, scale(1))),
    t('temp_heatsink_c', analog(rng, 58, 0.02, 0.05, scale(1))),
    t('temp_igbt_c', analog(rng, 66, 0.03, 0.1, scale(1))),
    t('fan_rpm', analog(rng, 3200, 2, 8, Math.round)),
    t('state', smallState([4, 4, 4, 5], 0.0005)),
    t('fault_word', smallState([0, 0, 0, 0, 16], 0.0002)),
    t('warning_word', smallState([0, 0, 2], 0.0005)),
  ];
  for (const bit of ['ground_fault', 'over_temp', 'grid_loss', 'arc_fault', 'fan_fail', 'door_open', 'spd_trip', 'comm_loss']) {
    status.push(t(`alarm_${bit}`, rareFlip(rng, 0.0001, false)));
  }
  status.push(t('running', rareFlip(rng, 0.0001, true)));
  return {
    offsetMs: 3 + 4 * id + rng.int(0, 15),
    requests: [
      { device: id, index: 0, tags: ac },
      { device: id, index: 1, tags: dc },
      { device: id, index: 2, tags: status },
    ],
  };
}

function opcuaDevice(rng: Random, device: number, tags: readonly TagModel[], perRequest: number): Device {
  const requests: Request[] = [];
  for (let i = 0; i * perRequest < tags.length; i++) {
    requests.push({ device, index: i, tags: tags.slice(i * perRequest, (i + 1) * perRequest) });
  }
  return { offsetMs: 5 + rng.int(0, 40), requests };
}

function combiner(rng: Random, id: number): Device {
  const tags: TagModel[] = [];
  for (let s = 1; s <= 24; s++) tags.push({ tag: `cb-${pad(id)}/string${pad(s)}_a`, source: analog(rng, 9.5, 0.01, 0.03, f32) });
  return opcuaDevice(rng, 100 + id, tags, 24);
}

function meter(rng: Random, id: number): Device {
  const name = `meter-${id}`;
  const tags: TagModel[] = [];
  const a = (suffix: string, base: number, walk: number, noise: number) => tags.push({ tag: `${name}/${suffix}`, source: analog(rng, base, walk, noise, f32) });
  for (const ph of ['l1', 'l2', 'l3']) {
    a(`v_${ph}`, 33_000, 2, 6);
    a(`i_${ph}`, 540, 0.5, 0.6);
    a(`p_${ph}_kw`, 10_300, 8, 6);
    a(`q_${ph}_kvar`, 480, 2, 3);
    a(`pf_${ph}`, 0.995, 0.0002, 0.0005);
    a(`thd_v_${ph}_pct`, 1.6, 0.01, 0.02);
    a(`thd_i_${ph}_pct`, 2.4, 0.01, 0.03);
  }
  a('p_total_kw', 31_000, 20, 10);
  a('q_total_kvar', 1_450, 4, 5);
  a('s_total_kva', 31_040, 20, 10);
  a('freq_hz', 50, 0.002, 0.003);
  a('v_unbalance_pct', 0.4, 0.005, 0.01);
  a('i_neutral', 12, 0.1, 0.2);
  tags.push({ tag: `${name}/energy_import_kwh`, source: counter(rng, 250_000_000, 8.6, divScale(1)) });
  tags.push({ tag: `${name}/energy_export_kwh`, source: counter(rng, 1_000, 0, divScale(1)) });
  tags.push({ tag: `${name}/energy_q_import_kvarh`, source: counter(rng, 12_000_000, 0.4, divScale(1)) });
  tags.push({ tag: `${name}/breaker_closed`, source: rareFlip(rng, 0.00005, true) });
  tags.push({ tag: `${name}/comm_ok`, source: rareFlip(rng, 0.00005, true) });
  return opcuaDevice(rng, 200 + id, tags, 16);
}

function weather(rng: Random): Device {
  const tags: TagModel[] = [];
  const a = (suffix: string, source: Source) => tags.push({ tag: `wx-01/${suffix}`, source });
  a('ghi_wm2', analog(rng, 820, 1, 2, f32));
  a('poa_wm2', analog(rng, 960, 1, 2, f32));
  a('dhi_wm2', analog(rng, 110, 0.3, 0.6, f32));
  for (let m = 1; m <= 4; m++) a(`module_temp_${m}_c`, analog(rng, 48, 0.01, 0.05, f32));
  a('ambient_temp_c', analog(rng, 27, 0.005, 0.02, divScale(1)));
  a('humidity_pct', analog(rng, 41, 0.01, 0.05, divScale(1)));
  a('pressure_hpa', analog(rng, 1012, 0.005, 0.03, divScale(1)));
  a('wind_speed_ms', analog(rng, 4, 0.05, 0.4, divScale(1)));
  a('wind_dir_deg', analog(rng, 220, 0.5, 4, Math.round));
  a('rain_mm_total', counter(rng, 800, 0, divScale(1)));
  a('soiling_ratio', analog(rng, 0.97, 0.00005, 0.0002, f32));
  a('albedo', analog(rng, 0.22, 0.0002, 0.001, f32));
  a('sun_elevation_deg', analog(rng, 61, 0.003, 0.0001, f32));
  a('sun_azimuth_deg', analog(rng, 175, 0.004, 0.0001, f32));
  a('heater_on', rareFlip(rng, 0.0001, false));
  a('cleaning_active', rareFlip(rng, 0.0001, false));
  a('logger_ok', rareFlip(rng, 0.0001, true));
  return opcuaDevice(rng, 300, tags, 20);
}

function trackerRow(rng: Random, firstId: number, count: number, line: number): Device {
  // Trackers share one RS-485 line each, polled one after another: one request per tracker.
  const requests: Request[] = [];
  for (let k = 0; k < count; k++) {
    const name = `trk-${String(firstId + k).padStart(3, '0')}`;
    requests.push({
      device: 400 + line,
      index: k,
      tags: [
        { tag: `${name}/angle_deg`, source: analog(rng, 12, 0.004, 0.05, divScale(1)) },
        { tag: `${name}/stowed`, source: rareFlip(rng, 0.00005, false) },
      ],
    });
  }
  return { offsetMs: 2 + rng.int(0, 10), requests };
}

export function plantProfile(seed = 1): PlantProfile {
  const rng = new Random(seed);
  const devices: Device[] = [];
  for (let i = 1; i <= 33; i++) devices.push(inverter(rng, i));
  for (let i = 1; i <= 8; i++) devices.push(combiner(rng, i));
  for (let i = 1; i <= 2; i++) devices.push(meter(rng, i));
  devices.push(weather(rng));
  for (let line = 0; line < 2; line++) devices.push(trackerRow(rng, line * 35 + 1, 35, line));

  let tagCount = 0;
  for (const d of devices) for (const req of d.requests) tagCount += req.tags.length;

  return {
    tagCount,
    site: 'pv-plant-07',
    batches(seconds: number, startMs = Date.UTC(2026, 5, 21, 11, 0, 0)): TelemetryBatch[] {
      const r = new Random(seed * 7919 + seconds);
      const out: TelemetryBatch[] = [];
      for (let s = 0; s < seconds; s++) {
        const cycleStart = startMs + s * 1000;
        const slices: { ts: number; order: number; readings: Reading[] }[] = [];
        let order = 0;
        for (const d of devices) {
          let ts = cycleStart + d.offsetMs + r.int(0, 6);
          const serial = d.requests.length > 3; // tracker lines and big OPC-UA reads
          for (const req of d.requests) {
            // A request occasionally times out: bad readings, no value, and the reason.
            const timedOut = r.chance(0.0005);
            const readings: Reading[] = req.tags.map((t) => {
              const value = t.source(s, r);
              return timedOut
                ? { tag: t.tag, ts, value: null, quality: 'bad' as const, reason: 'timeout' }
                : { tag: t.tag, ts, value, quality: 'good' as const };
            });
            slices.push({ ts, order: order++, readings });
            ts += serial ? r.int(8, 14) : r.int(4, 12);
          }
        }
        slices.sort((a, b) => a.ts - b.ts || a.order - b.order);
        const readings = slices.flatMap((x) => x.readings);
        out.push({ site: 'pv-plant-07', stream: 'live', seq: 1_000 + s, createdAt: cycleStart + 1000 + r.int(5, 60), readings });
      }
      return out;
    },
  };
}
