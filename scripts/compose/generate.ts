import { writeFileSync } from 'node:fs';
import { composeEdgeSiteFile, composePlant } from './plant.js';

// npm run compose:generate: rewrites the compose demo's data files from the demo's modules.
const dir = new URL('./', import.meta.url);
writeFileSync(new URL('demo-plant.json', dir), `${JSON.stringify(composePlant(), null, 2)}\n`);
writeFileSync(new URL('edge-site.yaml', dir), composeEdgeSiteFile());
process.stdout.write('wrote scripts/compose/demo-plant.json and scripts/compose/edge-site.yaml\n');
