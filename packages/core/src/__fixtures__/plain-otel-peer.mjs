// A service in another language's place: plain OpenTelemetry JS, no galileo-otel, with only the
// stock W3C propagators, as a Python service on the Splunk AO SDK would behave.
// argv[2] = `call <url>`: starts a span, puts only gen_ai.conversation.id in the baggage (what
//   the Splunk AO SDK sends) and calls <url>; prints the answer.
// argv[2] = `serve`: answers each request with the baggage it received, as JSON.
import { createServer } from 'node:http';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { TracerProvider } from '@opentelemetry/sdk-trace';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(
  new CompositePropagator({
    propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  }),
);
trace.setGlobalTracerProvider(new TracerProvider());
const tracer = trace.getTracer('plain-peer');
const [mode, url] = process.argv.slice(2);

if (mode === 'call') {
  const span = tracer.startSpan('plain caller');
  const baggage = propagation.createBaggage({ 'gen_ai.conversation.id': { value: 'conv-from-python' } });
  const ctx = propagation.setBaggage(trace.setSpan(ROOT_CONTEXT, span), baggage);
  const headers = {};
  propagation.inject(ctx, headers);
  const response = await fetch(url, { headers });
  process.stdout.write(`${JSON.stringify({ status: response.status, body: await response.text(), traceId: span.spanContext().traceId })}\n`);
  span.end();
} else {
  const server = createServer((req, res) => {
    const ctx = propagation.extract(ROOT_CONTEXT, req.headers);
    const entries = Object.fromEntries(
      (propagation.getBaggage(ctx)?.getAllEntries() ?? []).map(([key, entry]) => [key, entry.value]),
    );
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(entries));
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${server.address().port}\n`));
  process.on('SIGTERM', () => server.close());
}
