// @vercel/otel's registerOTel() owns the global provider and instruments fetch; the app adds
// the Galileo processor through its spanProcessors option.
import {
  actLikeAnApp,
  appRequire,
  coreApi,
  galileoProcessor,
  installed,
  registerGalileoTooLate,
  report,
  startUpWarnings,
} from './scenario.mjs';

const api = appRequire('@opentelemetry/api');
const { registerOTel } = appRequire('@vercel/otel');

// The README snippet (instrumentation.ts in a Next.js app). fetch carries the trace only to
// the URLs listed; the app calls its own service on loopback.
const galileo = galileoProcessor();
registerOTel({
  serviceName: 'vercel-app',
  spanProcessors: ['auto', galileo],
  instrumentationConfig: { fetch: { propagateContextUrls: [/^http:\/\/127\.0\.0\.1:/] } },
});

const atStartUp = await startUpWarnings();
const rootTraceId = await actLikeAnApp(api, appRequire('node:http'), async (url) => {
  await (await fetch(url)).text();
});
await galileo.forceFlush();
const late = await registerGalileoTooLate(api);
await api.trace.getTracerProvider().getDelegate().shutdown();
await late.shutdown();
report({
  library: installed('@vercel/otel'),
  api: api.trace === coreApi.trace ? 'shared' : 'separate copies',
  rootTraceId,
  atStartUp,
});
