// Names this package had before every adapter's entry points followed one rule (`<framework>()`
// for registerGalileo, `<framework><Part>()` for what the framework is given on its own side).
// Each one works as before and names its replacement.
import {
  type GoogleAdkPluginOptions,
  GoogleAdkPlugin as Plugin,
  googleAdkPlugin as plugin,
} from './google-adk-plugin.js';
import { type GoogleAdkTracingOptions, googleAdkTracing as tracing } from './google-adk-tracing.js';

/** @deprecated Use `googleAdkPlugin()` (or `GoogleAdkPlugin`). */
export const GalileoAdkPlugin: typeof Plugin = Plugin;
/** @deprecated Use `GoogleAdkPlugin`. */
export type GalileoAdkPlugin = Plugin;
/** @deprecated Use `GoogleAdkPluginOptions`. */
export type GalileoAdkPluginOptions = GoogleAdkPluginOptions;
/** @deprecated Use `googleAdkPlugin()`. */
export const galileoAdkPlugin: typeof plugin = plugin;
/** @deprecated Use `GoogleAdkTracingOptions`. */
export type EnsureAdkTracingOptions = GoogleAdkTracingOptions;
/** @deprecated Use `googleAdkTracing()`. */
export const ensureAdkTracing: typeof tracing = tracing;
