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
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
