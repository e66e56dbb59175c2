import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*.test.mjs'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/results.json' },
    // npm installs and child processes on a busy machine: generous bounds, no timing asserted.
    testTimeout: 180_000,
    hookTimeout: 900_000,
  },
});
