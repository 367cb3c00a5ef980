import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // The suites mostly wait on Temporal, PostgreSQL and Chromium: two files at a time on two cores.
    maxWorkers: 2,
    globalSetup: ['test/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
