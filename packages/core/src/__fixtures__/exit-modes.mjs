// A separate process that queues spans and then ends one way or another (argv[2]):
// - `signal`: stays alive until the test sends it SIGINT;
// - `drain`: lets the event loop run empty, so Node emits `beforeExit`.
// argv[3] = `off` turns flushOnExit off, to show what it prevents.
import { trace } from '@opentelemetry/api';
import { registerGalileo } from '../../dist/index.js';

const [mode, flush] = process.argv.slice(2);
registerGalileo({
  serviceName: 'exit-modes',
  flushOnExit: flush !== 'off',
  scheduledDelayMillis: 60_000,
  logger: false,
});
const tracer = trace.getTracer('exit-modes');
for (let i = 0; i < 10; i++) tracer.startSpan(`${mode}-${i}`).end();
if (mode === 'signal') setInterval(() => {}, 1000);
process.stdout.write('READY\n');
