import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One project per package for `npm test` (Node only, no servers), and one `engines`
// project for the integration tests that need real Kafka, QuestDB and PostgreSQL.
// Engine tests are named *.engine.test.ts wherever they live; tests against protocol peers
// no one here wrote (pymodbus, asyncua, mosquitto, mbpoll) are *.interop.test.ts.
const unit = (name: string) => ({
  extends: true as const,
  test: {
    name,
    root: `./${name}`,
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.engine.test.ts', 'test/**/*.interop.test.ts', 'node_modules/**'],
  },
});

export default defineConfig({
  // Tests run from source: workspace packages resolve to their src/index.ts, never to dist/.
  resolve: {
    alias: Object.fromEntries(
      ['shared', 'protocol-adapters', 'edge-agent', 'cloud'].map((p) => [`@dcmms/${p}`, fileURLToPath(new URL(`./${p}/src/index.ts`, import.meta.url))]),
    ),
  },
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      unit('shared'),
      unit('protocol-adapters'),
      unit('edge-agent'),
      unit('cloud'),
      {
        extends: true,
        test: {
          name: 'scripts',
          include: ['scripts/**/*.test.ts', 'bench/**/*.test.ts'],
          exclude: ['**/*.engine.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'interop',
          include: ['*/test/**/*.interop.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'engines',
          include: ['*/test/**/*.engine.test.ts', 'scripts/**/*.engine.test.ts'],
          globalSetup: ['./scripts/engines/vitest-global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          // The engines are shared, single-node and on two cores: one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
