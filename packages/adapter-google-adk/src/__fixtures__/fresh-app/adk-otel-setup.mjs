// ADK's own documented set-up, with the Galileo processor handed to maybeSetOtelProviders().
import * as adk from '@google/adk';
import { GalileoSpanProcessor } from '@galileo-otel/core';
import { googleAdk } from '@galileo-otel/adapter-google-adk';
import { runScenario } from './scenario.mjs';

const adapter = googleAdk();
const processor = new GalileoSpanProcessor({
  apiKey: 'gal-fresh-app-key',
  endpoint: process.env.SINK_URL,
  adapters: [adapter],
});
adk.maybeSetOtelProviders([{ spanProcessors: [processor] }], undefined);
await runScenario(adk, process.env.LABEL);
await processor.shutdown();
console.log(
  JSON.stringify({
    label: process.env.LABEL,
    adkImportedBeforeGalileo: true,
    status: adapter.tracingStatus,
  }),
);
