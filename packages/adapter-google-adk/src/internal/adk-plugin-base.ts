// Types only: importing this package must not load @google/adk (see google-adk-plugin.ts).
import type { BasePlugin } from '@google/adk';

const CALLBACK_NAME = /^(before|after|on)[A-Z]/;
const nothing = async (): Promise<undefined> => undefined;

/**
 * The base class of this package's ADK plugin, standing in for `@google/adk`'s `BasePlugin`
 * (which cannot be extended here without loading ADK at import time). Like `BasePlugin`, every
 * callback a subclass does not override is a no-op that returns `undefined`; unlike it, that
 * includes callbacks a later ADK 2.x adds (its plugin manager calls every callback on every
 * plugin, and a missing one would throw into the run). The no-ops come from the end of the
 * prototype chain, so the instance, its fields and `instanceof` are ordinary.
 */
export const AdkPluginBase: typeof BasePlugin = (() => {
  abstract class PluginBase {
    readonly name: string;
    constructor(name: string) {
      this.name = name;
    }
  }
  const isCallback = (property: string | symbol) =>
    typeof property === 'string' && CALLBACK_NAME.test(property);
  const noOpCallbacks = new Proxy(Object.create(Object.prototype) as object, {
    get: (target, property, receiver) =>
      isCallback(property) ? nothing : Reflect.get(target, property, receiver),
    has: (target, property) => isCallback(property) || Reflect.has(target, property),
  });
  Object.setPrototypeOf(PluginBase.prototype, noOpCallbacks);
  return PluginBase as unknown as typeof BasePlugin;
})();
