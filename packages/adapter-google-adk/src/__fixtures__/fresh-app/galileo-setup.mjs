// A set-up module meant for `import` first (or `node --import`): registers Galileo before ADK
// is evaluated. It must not load @google/adk itself.
import { registerGalileo } from '@galileo-otel/core';
import { googleAdk } from '@galileo-otel/adapter-google-adk';

export const adapter = googleAdk({ ensureTracing: process.env.ENSURE_TRACING !== 'false' });
export const galileo = registerGalileo({
  apiKey: 'gal-fresh-app-key',
  endpoint: process.env.SINK_URL,
  serviceName: process.env.LABEL,
  adapters: [adapter],
});

/** Whether @google/adk had been imported before Galileo was registered (it must not have). */
export const adkImportedBeforeGalileo = globalThis.__adkImported === true;
