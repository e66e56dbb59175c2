// A local OTLP/HTTP sink run as its own process, so its CPU never counts against the pipeline
// being measured. `ok` drains each body and answers 200 with an empty protobuf body; `stall`
// drains the body and never answers (the receiver is hung). Talks to its parent over IPC.
import { createServer } from 'node:http';

const mode = process.argv[2] ?? 'ok';
let requests = 0;
let bytes = 0;
const held = new Set();

const server = createServer((req, res) => {
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
  });
  req.on('end', () => {
    requests++;
    bytes += size;
    if (mode === 'stall') {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
    res.end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}/v1/traces` });
});

process.on('message', (message) => {
  if (message?.type === 'stats') process.send?.({ type: 'stats', requests, bytes });
  if (message?.type === 'reset') {
    requests = 0;
    bytes = 0;
    process.send?.({ type: 'reset' });
  }
  if (message?.type === 'close') {
    for (const res of held) res.destroy();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  }
});
process.on('disconnect', () => process.exit(0));
