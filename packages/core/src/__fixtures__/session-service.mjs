// One of our services, in its own process: registerGalileo, a traced node:http server.
// GET /work: a child span, then 200. GET /call?url=...: calls that URL inside a session
// (withGalileoSession) and answers with what it got back.
import { createServer } from 'node:http';
import { trace } from '@opentelemetry/api';
import { registerGalileo, tracedFetch, traceHttpHandler, withGalileoSession } from '../../dist/index.js';

registerGalileo({ serviceName: 'our-service', scheduledDelayMillis: 20 });
const tracer = trace.getTracer('our-service');
const server = createServer(
  traceHttpHandler(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/call') {
      const answer = await withGalileoSession({ sessionId: 'conv-ours' }, () =>
        tracedFetch(url.searchParams.get('url')),
      );
      res.writeHead(200, { 'content-type': 'application/json' }).end(await answer.text());
      return;
    }
    tracer.startSpan('work').end();
    res.writeHead(200).end('ok');
  }),
);
server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${server.address().port}\n`));
process.on('SIGTERM', () => server.close());
