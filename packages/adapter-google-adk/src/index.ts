export {
  type EnsureAdkTracingOptions,
  ensureAdkTracing,
  GalileoAdkPlugin,
  type GalileoAdkPluginOptions,
  galileoAdkPlugin,
} from './deprecated.js';
export { type GoogleAdkAdapter, type GoogleAdkOptions, googleAdk } from './google-adk.js';
export {
  GoogleAdkPlugin,
  type GoogleAdkPluginOptions,
  googleAdkPlugin,
} from './google-adk-plugin.js';
export {
  type AdkApiInstance,
  type AdkTracingStatus,
  type GoogleAdkTracingOptions,
  googleAdkTracing,
} from './google-adk-tracing.js';
export { runInContext } from './run-in-context.js';
