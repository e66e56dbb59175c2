import { runAdapterConformance } from '@galileo-otel/adapter-testkit';
import { registerTelemetry } from 'ai';
import { vercelAiTelemetry } from './index.js';
import { conformanceDriver } from './test-support/conformance-driver.js';

// The project's conformance kit over vercelAiTelemetry() (the AI SDK telemetry integration):
// one agent with a tool, a throwing tool, streaming, three concurrent runs, an incoming
// traceparent, a secret in the input, flush and offline, checked on the decoded wire spans.
runAdapterConformance({
  name: 'vercel-ai',
  driver: conformanceDriver({ registerIntegration: () => registerTelemetry(vercelAiTelemetry()) }),
});
