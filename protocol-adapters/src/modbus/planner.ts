import type { ModbusPoint, ReadFunctionCode } from './points.js';

/**
 * The request planner: tags -> the fewest read requests the device allows. Pure.
 *
 * Tags are grouped by unit id and function code, sorted by address, and swept greedily: a
 * tag joins the open request when the unmapped gap before it is at most `maxGap` and the
 * request stays within the per-request limit (registers for FC3/4, bits for FC1/2). Greedy
 * is optimal here: each request extends as far right as the limits allow, so no plan can
 * cover the same sorted tags with fewer requests.
 */
export interface PlanLimits {
  readonly maxRegistersPerRequest: number;
  readonly maxBitsPerRequest: number;
  readonly maxGap: number;
}

export interface PlannedRequest {
  readonly unitId: number;
  readonly fc: ReadFunctionCode;
  readonly address: number;
  /** Registers or bits to read. */
  readonly count: number;
  /** The tags it serves; each tag's data starts at `point.address - address`. */
  readonly points: readonly ModbusPoint[];
}

export function planRequests(points: readonly ModbusPoint[], limits: PlanLimits): PlannedRequest[] {
  const groups = new Map<number, ModbusPoint[]>();
  for (const p of points) {
    const key = p.unitId * 8 + p.fc;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(p);
  }
  const out: PlannedRequest[] = [];
  for (const key of [...groups.keys()].sort((a, b) => a - b)) {
    const group = groups.get(key)!.sort((a, b) => a.address - b.address || a.width - b.width || a.index - b.index);
    const first = group[0]!;
    const limit = first.fc <= 2 ? limits.maxBitsPerRequest : limits.maxRegistersPerRequest;
    let start = first.address;
    let end = first.address + first.width; // exclusive
    let members: ModbusPoint[] = [first];
    for (let i = 1; i < group.length; i++) {
      const p = group[i]!;
      const pEnd = p.address + p.width;
      const newEnd = Math.max(end, pEnd);
      if (p.address - end <= limits.maxGap && newEnd - start <= limit) {
        end = newEnd;
        members.push(p);
      } else {
        out.push({ unitId: first.unitId, fc: first.fc, address: start, count: end - start, points: members });
        start = p.address;
        end = pEnd;
        members = [p];
      }
    }
    out.push({ unitId: first.unitId, fc: first.fc, address: start, count: end - start, points: members });
  }
  return out;
}

/** One request per tag: what a naive poller does (the bench's reference). */
export function planPerTag(points: readonly ModbusPoint[]): PlannedRequest[] {
  return points.map((p) => ({ unitId: p.unitId, fc: p.fc, address: p.address, count: p.width, points: [p] }));
}
