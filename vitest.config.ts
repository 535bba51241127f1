import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The end-to-end suites spawn the 100 MB executables; two cores are all CI has.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
