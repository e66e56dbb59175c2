import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/results.json' },
    // Installs the real SDK and its CLI once, outside the workspace (see the file).
    globalSetup: ['src/test-support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
