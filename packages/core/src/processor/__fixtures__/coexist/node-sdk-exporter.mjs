// A NodeSDK from @opentelemetry/sdk-node with GalileoOtlpExporter as its traceExporter: the
// SDK's own BatchSpanProcessor feeds the exporter (the README's exporter-only recipe).
import { actLikeAnApp, appRequire, core, installed, report } from './scenario.mjs';

const api = appRequire('@opentelemetry/api');
const { NodeSDK } = appRequire('@opentelemetry/sdk-node');
const { HttpInstrumentation } = appRequire('@opentelemetry/instrumentation-http');

process.env.OTEL_METRICS_EXPORTER = 'none';

// The README snippet.
const sdk = new NodeSDK({
  serviceName: 'node-sdk-exporter-app',
  traceExporter: new core.GalileoOtlpExporter({
    apiKey: process.env.COEXIST_API_KEY,
    endpoint: process.env.COEXIST_SINK_URL,
    project: 'coexist-project',
    logStream: 'coexist-stream',
  }),
  instrumentations: [new HttpInstrumentation()],
});
sdk.start();
const rootTraceId = await actLikeAnApp(api, appRequire('node:http'));
await sdk.shutdown();
report({
  library: installed('@opentelemetry/sdk-node'),
  api: 'shared',
  rootTraceId,
  atStartUp: [],
});
