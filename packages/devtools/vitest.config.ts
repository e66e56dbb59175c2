import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/results.json' },
    testTimeout: 30_000,
    // A page in headless Chromium on a busy 2-core machine (CI runs the packages' suites side by
    // side) can take seconds to load and render: a poll waits up to 20 s for what it expects,
    // and returns as soon as it holds. Nothing here times anything.
    expect: { poll: { timeout: 20_000 } },
  },
});
