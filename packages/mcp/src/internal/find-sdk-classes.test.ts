// How instrumentMcp() reads a package's `exports` to find each build of the SDK, on the shapes
// the SDK lines publish (subpath patterns in 1.x, nested conditions in 2.x) and older ones.
import { describe, expect, it } from 'vitest';
import { exportTarget } from './find-sdk-classes.js';

const v1 = {
  exports: {
    '.': {
      types: './dist/esm/index.d.ts',
      import: './dist/esm/index.js',
      require: './dist/cjs/index.js',
    },
    './*': { types: './dist/esm/*.d.ts', import: './dist/esm/*', require: './dist/cjs/*' },
  },
};
const v2 = {
  exports: {
    '.': {
      import: { types: './dist/index.d.mts', default: './dist/index.mjs' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
  },
};

describe('exportTarget', () => {
  it('resolves a subpath pattern for import and require (the 1.x SDK)', () => {
    expect(exportTarget(v1, './client/index.js', 'esm')).toBe('./dist/esm/client/index.js');
    expect(exportTarget(v1, './client/index.js', 'cjs')).toBe('./dist/cjs/client/index.js');
  });

  it('resolves nested conditions and skips types (the 2.x packages)', () => {
    expect(exportTarget(v2, '.', 'esm')).toBe('./dist/index.mjs');
    expect(exportTarget(v2, '.', 'cjs')).toBe('./dist/index.cjs');
  });

  it('falls back to main without exports, and finds nothing for an unexported subpath', () => {
    expect(exportTarget({ main: 'lib/index.js' }, '.', 'cjs')).toBe('lib/index.js');
    expect(exportTarget(v2, './client/index.js', 'esm')).toBeUndefined();
    expect(exportTarget({ exports: './only.js' }, '.', 'esm')).toBe('./only.js');
  });
});
