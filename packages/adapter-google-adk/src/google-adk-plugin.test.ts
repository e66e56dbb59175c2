import { BasePlugin, PluginManager } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { GoogleAdkPlugin, googleAdkPlugin } from './google-adk-plugin.js';

// What this plugin overrides; every other callback must behave like BasePlugin's no-op.
const OVERRIDDEN = [
  'beforeRunCallback',
  'onUserMessageCallback',
  'beforeToolCallback',
  'afterModelCallback',
  'onModelErrorCallback',
];

/** Every callback @google/adk's BasePlugin declares (the installed ADK's own list). */
const callbacks = Object.getOwnPropertyNames(BasePlugin.prototype).filter(
  (name) => name !== 'constructor',
);

describe('the ADK plugin as a BasePlugin', () => {
  it('has every callback of the installed ADK’s BasePlugin, and only its own ones do work', async () => {
    const plugin = googleAdkPlugin() as unknown as Record<string, (p: unknown) => unknown>;
    expect(callbacks.length).toBeGreaterThanOrEqual(17);
    expect(callbacks).toEqual(expect.arrayContaining(OVERRIDDEN));
    for (const name of callbacks) {
      expect(typeof plugin[name], name).toBe('function');
      if (OVERRIDDEN.includes(name)) continue;
      expect(plugin[name]?.({}), name).toBeInstanceOf(Promise);
      await expect(plugin[name]?.({}), name).resolves.toBeUndefined();
    }
  });

  it('answers a callback a later ADK 2.x adds with a no-op instead of throwing into the run', async () => {
    const plugin = googleAdkPlugin() as unknown as Record<string, unknown>;
    const added = plugin.onSessionResumedCallback as (p: unknown) => Promise<unknown>;
    expect('onSessionResumedCallback' in plugin).toBe(true);
    await expect(added({})).resolves.toBeUndefined();
    // Not everything is a callback: the plugin is not a thenable, and has no stray members.
    expect(plugin.then).toBeUndefined();
    expect('then' in plugin).toBe(false);
    expect(plugin.toString).toBe(Object.prototype.toString);
  });

  it('is an ordinary instance: its class, its name, one per runner in ADK’s plugin manager', async () => {
    const plugin = googleAdkPlugin();
    expect(plugin).toBeInstanceOf(GoogleAdkPlugin);
    expect(plugin.name).toBe('galileo_otel');
    expect(Object.keys(plugin)).toEqual(['name']);
    expect(new GoogleAdkPlugin({ name: 'second' }).name).toBe('second');
    const manager = new PluginManager([plugin, googleAdkPlugin({ name: 'second' })]);
    expect(manager.getPlugin('galileo_otel')).toBe(plugin);
    expect(() => manager.registerPlugin(googleAdkPlugin())).toThrow(/already registered/);
    // ADK's manager runs the callbacks this plugin does not override without a throw.
    await expect(
      manager.runAfterRunCallback({ invocationContext: {} as never }),
    ).resolves.toBeUndefined();
    await expect(
      manager.runBeforeAgentCallback({ agent: {} as never, callbackContext: {} as never }),
    ).resolves.toBeUndefined();
  });
});
