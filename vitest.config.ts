import { defineConfig } from 'vitest/config';

/**
 * Files whose tests never send anything to Temporal: PostgreSQL alone (sign-in and tokens, the
 * outbox and its dispatchers, Idempotency-Keys, input rules, the ledger's triggers), the tooling
 * (configuration, finding binaries, the compose file, Chromium) and the pure core. They prove the
 * same on either Temporal, so `npm run test:cluster` leaves them to `npm test`.
 */
const TEMPORAL_FREE = [
  'test/unit/**',
  'test/signin-security.test.ts',
  'test/token-cache.test.ts',
  'test/dispatcher-claims.test.ts',
  'test/dispatcher-pair.test.ts',
  'test/dispatcher-kill.test.ts',
  'test/idempotency-keys.test.ts',
  'test/input-rules.test.ts',
  'test/funds-in-place-daily.test.ts',
  'test/channels.test.ts',
  'test/config.test.ts',
  'test/temporal-cli.test.ts',
  'test/compose.test.ts',
  'test/browser-check.test.ts',
  'test/webhook-secrets.test.ts',
  'test/temporal-codec.api.test.ts',
  'test/doctor.test.ts',
];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: process.env.LUODI_TEST_TEMPORAL === 'cluster' ? TEMPORAL_FREE : [],
    pool: 'forks',
    // The suites mostly wait on Temporal, PostgreSQL and Chromium: two files at a time on two cores.
    maxWorkers: 2,
    globalSetup: ['test/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
