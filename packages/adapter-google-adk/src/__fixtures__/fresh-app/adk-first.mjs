import * as adk from '@google/adk';
import { registerGalileo } from '@galileo-otel/core';
import { googleAdk } from '@galileo-otel/adapter-google-adk';
import { runScenario } from './scenario.mjs';

// The provider is registered in the module body, after @google/adk was evaluated.
const adapter = googleAdk({ ensureTracing: process.env.ENSURE_TRACING !== 'false' });
const galileo = registerGalileo({
  apiKey: 'gal-fresh-app-key',
  endpoint: process.env.SINK_URL,
  serviceName: process.env.LABEL,
  adapters: [adapter],
});
await runScenario(adk, process.env.LABEL);
await galileo.shutdown();
console.log(
  JSON.stringify({
    label: process.env.LABEL,
    adkImportedBeforeGalileo: globalThis.__adkImported === true,
    status: adapter.tracingStatus,
  }),
);
