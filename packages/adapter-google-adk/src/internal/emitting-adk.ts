import { join } from 'node:path';
import { connectAdkTracing } from '../google-adk-tracing.js';
import { adkDirFromStack, noteRunningAdk } from './adk-copies.js';
import { adkLogger } from './adk-logger.js';

/** ADK classes (one per ADK copy) already checked, so the stack is read once per copy. */
const checked = new WeakSet<object>();
let checkedUnknown = false;

/** The exact fix printed when the ADK running the agents was not connected. */
export const SEARCH_FROM_FIX = 'googleAdkTracing({ searchFrom: [import.meta.url] })';

/**
 * Called by the plugin when a run starts without a recording `invocation` span: finds the ADK
 * copy that runs the agent (from the call stack) and, when its API copy was never connected to
 * the provider (so every one of its spans is dropped), warns once with the exact fix. Once per
 * ADK copy; never throws.
 */
export function checkEmittingAdk(invocationContext: unknown): void {
  try {
    const key = (invocationContext as { constructor?: unknown } | undefined)?.constructor;
    if (typeof key === 'function') {
      if (checked.has(key)) return;
      checked.add(key);
    } else {
      if (checkedUnknown) return;
      checkedUnknown = true;
    }
    const dir = adkDirFromStack();
    if (!dir) return;
    noteRunningAdk(dir);
    const searchFrom = [join(dir, 'package.json')];
    if (connectAdkTracing({ searchFrom, logger: false }, true).connectedNow.length === 0) return;
    adkLogger.warnOnce(
      `unconnected:${dir}`,
      `the @google/adk that runs your agents (${dir}) is not connected to your tracer provider, ` +
        'so all of its spans are dropped (it is not the copy resolved from this package, the ' +
        'working directory or the entry script, or ensureTracing is off). Fix: call ' +
        `${SEARCH_FROM_FIX} (import { googleAdkTracing } from ` +
        "'@galileo-otel/adapter-google-adk') in the module that imports @google/adk, after " +
        'registering Galileo.',
    );
  } catch {
    // Tracing never breaks the run.
  }
}
