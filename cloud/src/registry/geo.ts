/** Distances and boxes on the WGS84 sphere approximation, enough for "assets near here". */
const EARTH_RADIUS_KM = 6371.0088;
const rad = (deg: number) => (deg * Math.PI) / 180;

export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = rad(lat2 - lat1);
  const dLon = rad(lon2 - lon1);
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

export interface Box {
  readonly minLat: number;
  readonly maxLat: number;
  /** When minLon > maxLon the box crosses the antimeridian. */
  readonly minLon: number;
  readonly maxLon: number;
}

/**
 * A box that contains every point within `radiusKm`: the coarse filter an index can use before
 * the exact distance. Near a pole, or for a radius that spans it, longitude is unbounded.
 */
export function boxAround(lat: number, lon: number, radiusKm: number): Box {
  // Padded by a hair so a point exactly on the circle is not lost to rounding.
  const pad = (deg: number) => deg * (1 + 1e-9) + 1e-9;
  const dLat = pad((radiusKm / EARTH_RADIUS_KM) * (180 / Math.PI));
  const minLat = Math.max(-90, lat - dLat);
  const maxLat = Math.min(90, lat + dLat);
  if (minLat <= -90 || maxLat >= 90) return { minLat, maxLat, minLon: -180, maxLon: 180 };
  const dLon = pad(Math.asin(Math.min(1, Math.sin(radiusKm / EARTH_RADIUS_KM) / Math.cos(rad(lat)))) * (180 / Math.PI));
  if (dLon >= 180) return { minLat, maxLat, minLon: -180, maxLon: 180 };
  const wrap = (x: number) => (x < -180 ? x + 360 : x > 180 ? x - 360 : x);
  return { minLat, maxLat, minLon: wrap(lon - dLon), maxLon: wrap(lon + dLon) };
}

export function inBox(box: Box, lat: number, lon: number): boolean {
  if (lat < box.minLat || lat > box.maxLat) return false;
  return box.minLon <= box.maxLon ? lon >= box.minLon && lon <= box.maxLon : lon >= box.minLon || lon <= box.maxLon;
}
