import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_ASSET_DEPTH, descendantsByLevel, placeUnder } from '../../src/registry/asset-tree.js';
import { boxAround, haversineKm, inBox } from '../../src/registry/geo.js';

describe('asset hierarchy rules', () => {
  it('places a leaf at its parent chain length + 1, up to the maximum depth', () => {
    expect(placeUnder(null, 1, [])).toEqual({ ok: true, depth: 1 });
    expect(placeUnder(null, 1, ['p4', 'p3', 'p2', 'p1'])).toEqual({ ok: true, depth: 5 });
    expect(placeUnder(null, 1, ['p5', 'p4', 'p3', 'p2', 'p1'])).toEqual({ ok: false, reason: 'too_deep', depth: 6 });
  });

  it('counts the moved subtree in the depth', () => {
    expect(placeUnder('a', 3, ['p2', 'p1'])).toEqual({ ok: true, depth: 3 });
    expect(placeUnder('a', 4, ['p2', 'p1'])).toMatchObject({ ok: false, reason: 'too_deep' });
  });

  it('refuses a cycle: under itself or a descendant', () => {
    expect(placeUnder('a', 2, ['a'])).toMatchObject({ ok: false, reason: 'cycle' });
    expect(placeUnder('a', 3, ['c', 'b', 'a'])).toMatchObject({ ok: false, reason: 'cycle' });
  });

  it('lists descendants level by level and survives a corrupt cyclic input', () => {
    const nodes = [
      { id: 'a', parentId: null },
      { id: 'b', parentId: 'a' },
      { id: 'c', parentId: 'a' },
      { id: 'd', parentId: 'b' },
      { id: 'x', parentId: 'y' },
      { id: 'y', parentId: 'x' },
    ];
    expect(descendantsByLevel('a', nodes)).toEqual([['b', 'c'], ['d']]);
    expect(descendantsByLevel('x', nodes)).toEqual([['y']]);
    expect(MAX_ASSET_DEPTH).toBe(5);
  });
});

describe('geo', () => {
  it('haversine distance: known pairs', () => {
    expect(haversineKm(0, 0, 0, 1)).toBeCloseTo(111.195, 2);
    expect(haversineKm(48.8566, 2.3522, 51.5074, -0.1278)).toBeCloseTo(343.5, 0);
  });

  it('every point within the radius is inside the box (including across the antimeridian and near poles)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -89, max: 89, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        fc.double({ min: 0.01, max: 2000, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        (lat, lon, r, f, bearing) => {
          // A point at distance f*r along a bearing (spherical destination formula).
          const d = (f * r) / 6371.0088;
          const la = (lat * Math.PI) / 180;
          const lo = (lon * Math.PI) / 180;
          const la2 = Math.asin(Math.sin(la) * Math.cos(d) + Math.cos(la) * Math.sin(d) * Math.cos(bearing));
          const lo2 = lo + Math.atan2(Math.sin(bearing) * Math.sin(d) * Math.cos(la), Math.cos(d) - Math.sin(la) * Math.sin(la2));
          const pLat = (la2 * 180) / Math.PI;
          const pLon = ((((lo2 * 180) / Math.PI + 540) % 360) + 360) % 360 - 180;
          if (haversineKm(lat, lon, pLat, pLon) > r) return;
          expect(inBox(boxAround(lat, lon, r), pLat, pLon)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
