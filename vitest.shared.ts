import { defineConfig } from 'vitest/config';

/**
 * One test configuration for every workspace: workspace packages resolve to their
 * TypeScript sources (the `@baedal/source` export condition), so tests never need a build.
 */
export default defineConfig({
  resolve: { conditions: ['@baedal/source'] },
  ssr: { resolve: { conditions: ['@baedal/source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    // A guard against hangs, not a measure: tests share a busy CI runner and never assert on time.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
