import { defineConfig } from 'vitest/config';

// One project per package for `npm test` (Node only, no servers), and one `engines`
// project for the integration tests that need real Kafka, QuestDB and PostgreSQL.
// Engine tests are named *.engine.test.ts wherever they live.
const unit = (name: string) => ({
  extends: true as const,
  test: {
    name,
    root: `./${name}`,
    include: ['test/**/*.test.ts'],
    exclude: ['test/**/*.engine.test.ts', 'node_modules/**'],
  },
});

export default defineConfig({
  resolve: { conditions: ['dcmms-source'] },
  ssr: { resolve: { conditions: ['dcmms-source'], externalConditions: ['dcmms-source'] } },
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
