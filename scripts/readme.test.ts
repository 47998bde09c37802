import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseSiteConfig } from '@dcmms/shared';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('shows a site file that the site-config schema accepts', () => {
    const section = readme.slice(readme.indexOf('### Site file'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml).toBeDefined();
    const config = parseSiteConfig(parse(yaml!));
    expect(config.devices[0]?.tags.map((t) => t.name)).toContain('inv1.ac_voltage_l1');
  });

  it('keeps the two set-up commands and the test commands', () => {
    for (const cmd of ['npm install', 'npm start', 'npm test', 'npm run test:engines']) expect(readme).toContain(cmd);
  });
});
