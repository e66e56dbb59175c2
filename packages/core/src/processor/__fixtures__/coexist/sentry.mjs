// @sentry/node owns the OTel setup. COEXIST_SENTRY_MODE picks the route:
// - 'span-processors' (v8-v10): Sentry's provider takes extra processors;
// - 'sentry-provider' (v11): Sentry registers its own provider, which takes no processors;
// - 'galileo-provider' (v11): Sentry leaves OTel alone and registerGalileo() owns it.
import {
  actLikeAnApp,
  appRequire,
  core,
  coreApi,
  galileoProcessor,
  httpGet,
  installed,
  registerGalileoTooLate,
  report,
  startUpWarnings,
} from './scenario.mjs';

const api = appRequire('@opentelemetry/api');
const Sentry = appRequire('@sentry/node');
const mode = process.env.COEXIST_SENTRY_MODE;
const dsn = process.env.COEXIST_SENTRY_DSN;

let galileo;
if (mode === 'span-processors') {
  // The README snippet for Sentry 8-10.
  galileo = galileoProcessor();
  Sentry.init({ dsn, tracesSampleRate: 1, openTelemetrySpanProcessors: [galileo] });
} else if (mode === 'sentry-provider') {
  Sentry.init({ dsn, tracesSampleRate: 1, enableOpenTelemetrySetup: true });
} else if (mode === 'galileo-provider') {
  // The README snippet for Sentry 11.
  Sentry.init({ dsn, tracesSampleRate: 1 });
  galileo = core.registerGalileo({
    serviceName: 'sentry-app',
    apiKey: process.env.COEXIST_API_KEY,
    endpoint: process.env.COEXIST_SINK_URL,
    project: 'coexist-project',
    logStream: 'coexist-stream',
    logger: false,
  });
} else {
  throw new Error(`unknown COEXIST_SENTRY_MODE ${mode}`);
}

const atStartUp = await startUpWarnings();
const http = appRequire('node:http');
// With Galileo owning OTel next to Sentry 11, the app passes the OTel trace on itself.
const get =
  mode === 'galileo-provider' ? (url) => httpGet(http, url, core.injectTraceHeaders()) : undefined;
const rootTraceId = await actLikeAnApp(api, http, get);
await galileo?.forceFlush();
const late = mode === 'galileo-provider' ? undefined : await registerGalileoTooLate(api);
await galileo?.shutdown();
await late?.shutdown();
await Sentry.close(2_000);
report({
  library: installed('@sentry/node'),
  mode,
  api: api.trace === coreApi.trace ? 'shared' : 'separate copies',
  rootTraceId,
  atStartUp,
});
