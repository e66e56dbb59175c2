import { adapter, adkImportedBeforeGalileo, galileo } from './galileo-setup.mjs';
import { runScenario } from './scenario.mjs';

// Loaded only now, after the provider was registered (as with `node --import ./galileo-setup.mjs`).
const adk = await import('@google/adk');
await runScenario(adk, process.env.LABEL);
await galileo.shutdown();
console.log(
  JSON.stringify({ label: process.env.LABEL, adkImportedBeforeGalileo, status: adapter.tracingStatus }),
);
