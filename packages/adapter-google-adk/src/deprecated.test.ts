import { describe, expect, it } from 'vitest';
import * as entry from './index.js';

describe('the names before the naming rule', () => {
  it('still work and are the new entry points', () => {
    expect(entry.galileoAdkPlugin).toBe(entry.googleAdkPlugin);
    expect(entry.GalileoAdkPlugin).toBe(entry.GoogleAdkPlugin);
    expect(entry.ensureAdkTracing).toBe(entry.googleAdkTracing);
    const plugin = entry.galileoAdkPlugin({ name: 'old_name' });
    expect(plugin).toBeInstanceOf(entry.GoogleAdkPlugin);
    expect(plugin.name).toBe('old_name');
  });

  it('exports exactly the documented entry points', () => {
    expect(Object.keys(entry).sort()).toEqual([
      'GalileoAdkPlugin',
      'GoogleAdkPlugin',
      'ensureAdkTracing',
      'galileoAdkPlugin',
      'googleAdk',
      'googleAdkPlugin',
      'googleAdkTracing',
      'runInContext',
    ]);
  });
});
