import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Each file starts real servers; two cores: one file at a time.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          // Real Pacemaker clusters in namespaces: one lab at a time.
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
    // Servers and clusters are timing-sensitive on two cores: one test file at a time in a run. test/run's
    // default runs the cluster project and, beside it at nice 10, unit and integration (no lab among them).
    maxWorkers: 1,
    // failure-summary: CI keeps the tail of the output; the run ends with every failure, first first.
    reporters: ['default', './test/support/failure-summary.ts'],
  },
});
