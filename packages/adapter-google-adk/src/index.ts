export {
  type AdkApiInstance,
  type AdkTracingStatus,
  type EnsureAdkTracingOptions,
  ensureAdkTracing,
} from './ensure-adk-tracing.js';
export {
  GalileoAdkPlugin,
  type GalileoAdkPluginOptions,
  galileoAdkPlugin,
} from './galileo-adk-plugin.js';
export { type GoogleAdkAdapter, type GoogleAdkOptions, googleAdk } from './google-adk.js';
export { runInContext } from './run-in-context.js';
