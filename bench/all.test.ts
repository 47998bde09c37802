import { describe, expect, it } from 'vitest';
import { lastJsonLine, summary } from './all.js';

describe('bench aggregator', () => {
  it('takes the JSON object on the last line of a bench output, and nothing else', () => {
    const obj = { bench: 'codec', figures: [{ name: 'wire size', unit: 'bytes/reading', measured: 2.4, reference: 8.9, ratio: 0.27, target: '<= 6' }] };
    expect(lastJsonLine(`== table\nrow\n${JSON.stringify(obj)}\n\n`)).toEqual(obj);
    expect(lastJsonLine(`${JSON.stringify(obj)}\ntrailing text`)).toBeNull();
    expect(lastJsonLine('{"bench": 1}')).toBeNull();
  });

  it('prints one row per figure with target, measured and ratio', () => {
    const text = summary([{ bench: 'codec', figures: [{ name: 'wire size', unit: 'bytes/reading', measured: 2.4, reference: 8.9, ratio: 0.27, target: '<= 6' }] }]);
    expect(text.split('\n')[2]).toMatch(/^codec\s+wire size\s+<= 6\s+2\.40\s+bytes\/reading\s+0\.27x$/);
  });
});
