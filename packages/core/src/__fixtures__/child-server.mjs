// A separate OS process for the cross-process test: a traced node:http service that exports to
// the OTLP endpoint given in GALILEO_API_ENDPOINT and answers POST /research.
import { createServer } from 'node:http';
import { trace } from '@opentelemetry/api';
import { registerGalileo, traceHttpHandler } from '../../dist/index.js';

const galileo = registerGalileo({ serviceName: 'child-service', scheduledDelayMillis: 50 });
const tracer = trace.getTracer('child');

const server = createServer(
  traceHttpHandler(async (req, res) => {
    if (req.url === '/flush') {
      await galileo.forceFlush();
      res.writeHead(200).end('flushed');
      return;
    }
    let body = '';
    for await (const chunk of req) body += chunk;
    const { topic } = JSON.parse(body || '{}');
    const answer = await tracer.startActiveSpan('research-work', async (span) => {
      span.setAttribute('topic', String(topic));
      span.end();
      return `facts about ${topic}`;
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ findings: answer }));
  }),
);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${server.address().port}\n`);
});
process.on('SIGTERM', async () => {
  await galileo.shutdown();
  server.close(() => process.exit(0));
});
