import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deviceConfigSchema, type ModbusDeviceConfig, type ModbusTagInput } from '@dcmms/shared';
import { planPerTag, planRequests, type PlanLimits } from '../src/modbus/planner.js';
import { resolvePoints, type ModbusPoint } from '../src/modbus/points.js';

const device = (tags: ModbusTagInput[], extra: Record<string, unknown> = {}): ModbusDeviceConfig =>
  deviceConfigSchema.parse({ protocol: 'modbus-tcp', name: 'd', host: 'h', tags, ...extra }) as ModbusDeviceConfig;
const limitsOf = (d: ModbusDeviceConfig): PlanLimits => d;
const summary = (d: ModbusDeviceConfig) =>
  planRequests(resolvePoints(d), limitsOf(d)).map((r) => `u${r.unitId} fc${r.fc} ${r.address}+${r.count} [${r.points.map((p) => p.tag.name).join(',')}]`);

describe('request planner', () => {
  it('merges adjacent tags into one request', () => {
    const d = device([
      { name: 'a', register: 'holding', address: 0, type: 'float32' },
      { name: 'b', register: 'holding', address: 2 },
      { name: 'c', register: 'holding', address: 3, type: 'uint64' },
    ]);
    expect(summary(d)).toEqual(['u1 fc3 0+7 [a,b,c]']);
  });

  it('splits on gaps larger than maxGap and merges within it', () => {
    const tags: ModbusTagInput[] = [
      { name: 'a', register: 'holding', address: 0 },
      { name: 'b', register: 'holding', address: 4 },
    ];
    expect(summary(device(tags))).toEqual(['u1 fc3 0+1 [a]', 'u1 fc3 4+1 [b]']);
    expect(summary(device(tags, { maxGap: 2 }))).toEqual(['u1 fc3 0+1 [a]', 'u1 fc3 4+1 [b]']);
    expect(summary(device(tags, { maxGap: 3 }))).toEqual(['u1 fc3 0+5 [a,b]']);
  });

  it('never lets a tag straddle the register limit', () => {
    // 123 + float32 at 123..124 fits 125 exactly; the next float32 at 125 starts a new request.
    const tags: ModbusTagInput[] = [
      { name: 'head', register: 'holding', address: 0, type: 'string', length: 123 },
      { name: 'fits', register: 'holding', address: 123, type: 'float32' },
      { name: 'next', register: 'holding', address: 125, type: 'float32' },
    ];
    expect(summary(device(tags))).toEqual(['u1 fc3 0+125 [head,fits]', 'u1 fc3 125+2 [next]']);
    // A float32 at 124 would straddle 124..125: it moves whole to the next request.
    expect(
      summary(
        device([
          { name: 'a', register: 'input', address: 0, type: 'string', length: 124 },
          { name: 'b', register: 'input', address: 124, type: 'float32' },
        ]),
      ),
    ).toEqual(['u1 fc4 0+124 [a]', 'u1 fc4 124+2 [b]']);
    expect(summary(device([{ name: 'a', register: 'holding', address: 0, type: 'float64' }, { name: 'b', register: 'holding', address: 4, type: 'float64' }], { maxRegistersPerRequest: 4 }))).toEqual([
      'u1 fc3 0+4 [a]',
      'u1 fc3 4+4 [b]',
    ]);
  });

  it('honours the bit limit for coils and discrete inputs', () => {
    const tags: ModbusTagInput[] = Array.from({ length: 2001 }, (_, i) => ({ name: `c${i}`, register: 'coil', address: i, type: 'bool' }));
    const plan = planRequests(resolvePoints(device(tags)), { maxRegistersPerRequest: 125, maxBitsPerRequest: 2000, maxGap: 0 });
    expect(plan.map((r) => [r.fc, r.address, r.count])).toEqual([
      [1, 0, 2000],
      [1, 2000, 1],
    ]);
  });

  it('keeps function codes and unit ids apart', () => {
    expect(
      summary(
        device([
          { name: 'h', register: 'holding', address: 0 },
          { name: 'i', register: 'input', address: 1 },
          { name: 'h2', register: 'holding', address: 1, unitId: 2 },
          { name: 'c', register: 'coil', address: 0, type: 'bool' },
          { name: 'd', register: 'discrete', address: 0, type: 'bool' },
          { name: 'h3', register: 'holding', address: 1 },
        ]),
      ),
    ).toEqual(['u1 fc1 0+1 [c]', 'u1 fc2 0+1 [d]', 'u1 fc3 0+2 [h,h3]', 'u1 fc4 1+1 [i]', 'u2 fc3 1+1 [h2]']);
  });

  it('reads a register once for a word and its bits, and translates 1-based addresses', () => {
    const d = device(
      [
        { name: 'w', register: 'holding', address: 40, type: 'uint16' },
        { name: 'b0', register: 'holding', address: 40, type: 'bool', bit: 0 },
        { name: 'b7', register: 'holding', address: 40, type: 'bool', bit: 7 },
      ],
      { addressBase: 1 },
    );
    expect(summary(d)).toEqual(['u1 fc3 39+1 [w,b0,b7]']);
  });

  // Property: against a brute-force optimum over every split of the sorted tags, the planner
  // is valid (limits, gaps, every tag served exactly once) and never uses more requests.
  it('is valid and minimal for random register maps', () => {
    const arbTags = fc.uniqueArray(fc.record({ address: fc.nat({ max: 60 }), width: fc.constantFrom(1, 2, 4) }), { selector: (t) => t.address, maxLength: 12 });
    fc.assert(
      fc.property(arbTags, fc.integer({ min: 4, max: 20 }), fc.nat({ max: 5 }), (raw, maxRegs, maxGap) => {
        // Drop overlaps: the schema refuses them.
        const tags: { address: number; width: number }[] = [];
        for (const t of [...raw].sort((a, b) => a.address - b.address)) {
          const last = tags[tags.length - 1];
          if (!last || last.address + last.width <= t.address) tags.push(t);
        }
        const points: ModbusPoint[] = tags.map((t, index) => ({
          index,
          tag: { name: `t${index}` } as ModbusPoint['tag'],
          unitId: 1,
          fc: 3,
          address: t.address,
          width: t.width,
          intervalMs: 1000,
          scaler: (x) => x,
        }));
        const limits = { maxRegistersPerRequest: maxRegs, maxBitsPerRequest: 2000, maxGap };
        const plan = planRequests(points, limits);
        const served = plan.flatMap((r) => r.points.map((p) => p.index)).sort((a, b) => a - b);
        expect(served).toEqual(points.map((p) => p.index));
        for (const r of plan) {
          expect(r.count).toBeLessThanOrEqual(maxRegs);
          let end = r.address;
          for (const p of r.points) {
            expect(p.address).toBeGreaterThanOrEqual(r.address);
            expect(p.address + p.width).toBeLessThanOrEqual(r.address + r.count);
            expect(p.address - end).toBeLessThanOrEqual(maxGap);
            end = Math.max(end, p.address + p.width);
          }
        }
        // Brute force: fewest contiguous segments of the sorted tags that each fit.
        const fits = (i: number, j: number): boolean => {
          const start = tags[i]!.address;
          let end = start;
          for (let k = i; k <= j; k++) {
            if (tags[k]!.address - end > maxGap) return false;
            end = Math.max(end, tags[k]!.address + tags[k]!.width);
          }
          return end - start <= maxRegs;
        };
        const best: number[] = [0];
        for (let j = 0; j < tags.length; j++) {
          best[j + 1] = Infinity;
          for (let i = 0; i <= j; i++) if (fits(i, j)) best[j + 1] = Math.min(best[j + 1]!, best[i]! + 1);
        }
        expect(plan.length).toBe(best[tags.length]);
      }),
      { numRuns: 500 },
    );
  });

  it('per-tag plan is one request per tag', () => {
    const d = device([
      { name: 'a', register: 'holding', address: 0, type: 'float32' },
      { name: 'b', register: 'holding', address: 2 },
    ]);
    expect(planPerTag(resolvePoints(d)).map((r) => [r.address, r.count])).toEqual([
      [0, 2],
      [2, 1],
    ]);
  });
});
