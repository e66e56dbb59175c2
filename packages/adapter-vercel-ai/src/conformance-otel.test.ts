import { OpenTelemetry } from '@ai-sdk/otel';
import { runAdapterConformance } from '@galileo-otel/adapter-testkit';
import { registerTelemetry } from 'ai';
import { vercelAi } from './index.js';
import { conformanceDriver } from './test-support/conformance-driver.js';

// The project's conformance kit over the translator: the AI SDK's own @ai-sdk/otel
// integration emits spans and vercelAi() rewrites them at export.
runAdapterConformance({
  name: 'vercel-ai (@ai-sdk/otel translator)',
  driver: conformanceDriver({
    adapters: [vercelAi()],
    registerIntegration: () => registerTelemetry(new OpenTelemetry()),
  }),
});
