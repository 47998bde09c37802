import { describe, expect, it } from 'vitest';
import { figure, renderReport } from './report.js';

describe('bench report', () => {
  const report = {
    bench: 'demo',
    title: 'demo bench',
    preamble: ['profile: tiny'],
    figures: [
      figure({ name: 'speed', unit: 'ops/s', measured: 2_500_000, reference: 1_000_000, target: '>= 1,000,000 ops/s', met: true }),
      figure({ name: 'size', unit: 'bytes', measured: 0.5 }),
    ],
    notes: ['a note'],
  };

  it('ends with one JSON line in the agreed shape, ratios computed against the reference', () => {
    const lines = renderReport(report).split('\n');
    const json = JSON.parse(lines[lines.length - 1]!) as unknown;
    expect(json).toEqual({
      bench: 'demo',
      figures: [
        { name: 'speed', unit: 'ops/s', measured: 2_500_000, reference: 1_000_000, ratio: 2.5, target: '>= 1,000,000 ops/s' },
        { name: 'size', unit: 'bytes', measured: 0.5, reference: null, ratio: null, target: '' },
      ],
    });
  });

  it('prints a table a human can read, with the verdict on the target', () => {
    const text = renderReport(report);
    expect(text).toMatch(/speed\s+2,500,000\s+ops\/s\s+1,000,000\s+2\.50x\s+>= 1,000,000 ops\/s\s+met/);
    expect(text).toMatch(/size\s+0\.500\s+bytes\s+-\s+-/);
    expect(text).toContain('profile: tiny');
    expect(text).toContain('a note');
  });
});
