// Preloaded into the example services by the demo end-to-end suite (`node --import`), so the
// examples' own code stays as a user copies it. It measures the process's event-loop delay and
// answers on a loopback port of its own, announced on stderr as `[loop-monitor] <url>`:
//   POST /start  opens a measured window
//   POST /stop   closes it and answers {"p50", "p99", "max"} in ms
import { createServer } from 'node:http';
import { loopDelay } from '../lib/loop-delay.mjs';

const delay = loopDelay();
const server = createServer((req, res) => {
  req.resume();
  let body = {};
  if (req.url === '/start') delay.start();
  else if (req.url === '/stop') body = delay.stop();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
});
// The service's own server keeps the process alive; this one must not.
server.unref();
server.listen(0, '127.0.0.1', () => {
  process.stderr.write(`[loop-monitor] http://127.0.0.1:${server.address().port}\n`);
});
