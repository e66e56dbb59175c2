// A separate process that queues spans, then gets SIGTERM. A competing SIGTERM handler behaves
// like the OpenAI Agents SDK's: it exits as soon as it sees no other listener.
import { trace } from '@opentelemetry/api';
import { registerGalileo } from '../../dist/index.js';

registerGalileo({ serviceName: 'exiting', flushOnExit: true, scheduledDelayMillis: 60_000 });
process.on('SIGTERM', async () => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  if (process.listenerCount('SIGTERM') <= 1) process.exit(0);
});
const tracer = trace.getTracer('exiting');
for (let i = 0; i < 25; i++) tracer.startSpan(`queued-${i}`).end();
setInterval(() => {}, 1000);
process.stdout.write('READY\n');
