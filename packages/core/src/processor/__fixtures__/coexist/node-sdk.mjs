// A NodeSDK from @opentelemetry/sdk-node owns the global provider, with http instrumentation;
// the app adds the Galileo processor to it.
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
const { NodeSDK } = appRequire('@opentelemetry/sdk-node');
const { HttpInstrumentation } = appRequire('@opentelemetry/instrumentation-http');

// Its default OTLP metrics exporter would retry localhost:4318 for seconds at shutdown.
process.env.OTEL_METRICS_EXPORTER = 'none';

// The README snippet.
const galileo = galileoProcessor();
const sdk = new NodeSDK({
  serviceName: 'node-sdk-app',
  spanProcessors: [galileo],
  instrumentations: [new HttpInstrumentation()],
});
sdk.start();

const atStartUp = await startUpWarnings();
// Loaded after sdk.start(), as the http instrumentation patches it on load.
const rootTraceId = await actLikeAnApp(api, appRequire('node:http'));
await galileo.forceFlush();
const late = await registerGalileoTooLate(api);
await sdk.shutdown();
await late.shutdown();
report({
  library: installed('@opentelemetry/sdk-node'),
  api: api.trace === coreApi.trace ? 'shared' : 'separate copies',
  rootTraceId,
  atStartUp,
});
