import { describe, expect, it } from 'vitest';
import { reconnectDelay } from '../src/index.js';

describe('reconnectDelay', () => {
  const cfg = { initialMs: 1000, maxMs: 30_000, multiplier: 2, jitter: 0.5 };
  it('grows exponentially up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => reconnectDelay(a, cfg, () => 0.5))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });
  it('spreads by +-jitter and never exceeds the cap', () => {
    expect(reconnectDelay(1, cfg, () => 0)).toBe(1000);
    expect(reconnectDelay(1, cfg, () => 0.999999)).toBe(3000);
    expect(reconnectDelay(20, cfg, () => 0.999999)).toBe(30_000);
    expect(reconnectDelay(20, cfg, () => 0)).toBe(15_000);
  });
});
