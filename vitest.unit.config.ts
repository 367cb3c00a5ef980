import { defineConfig } from 'vitest/config';

/** The pure core alone: decisions, messages and input rules, with no server (npm run test:unit). */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    pool: 'threads',
  },
});
