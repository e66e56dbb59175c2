import { defineConfig } from 'vitest/config';

// Runs the fixture suites the kit's own wiring test inspects (never part of `npm test`).
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['src/__fixtures__/*.fixture.ts'],
    testTimeout: 30_000,
  },
});
