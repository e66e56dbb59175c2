// A separate process for the exit-path tests: it registers galileo-otel the way a user would,
// ends 100 spans (queued: the schedule is 10 minutes away), then ends as argv[2] says:
// - `natural`: nothing else to do, so the event loop drains (a plain script);
// - `serve`: stays up like a server until a signal; its own SIGTERM handler stops its work
//   (clears its only handle) but does not exit, as graceful-shutdown code does;
// - `serve-plain`: stays up like a server until a signal, with no signal handler of its own
//   (galileo-otel's is the only one, so untraced it would die of the signal at once);
// - `exit-call`: calls process.exit(3) with the spans still queued.
// argv[3] is a JSON object of extra registerGalileo options.
import { trace } from '@opentelemetry/api';
import { registerGalileo } from '../../dist/index.js';

const [mode, extra = '{}'] = process.argv.slice(2);
registerGalileo({ serviceName: 'exit-scenarios', scheduledDelayMillis: 600_000, ...JSON.parse(extra) });
const tracer = trace.getTracer('exit-scenarios');
for (let i = 0; i < 100; i++) tracer.startSpan(`${mode}-${i}`).end();
if (mode === 'serve') {
  const work = setInterval(() => {}, 1000);
  process.on('SIGTERM', () => clearInterval(work));
}
if (mode === 'serve-plain') setInterval(() => {}, 1000);
process.stdout.write('READY\n');
if (mode === 'exit-call') process.exit(3);
