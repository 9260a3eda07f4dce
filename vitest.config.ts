import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Browser tests (test/e2e) run too; they skip themselves with a message when Chromium is absent.
    exclude: ['**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Builds the admin SPA once for the browser tests (test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // The suite talks to real sockets and databases; a flaky network call should fail loudly.
    retry: 0,
  },
});
