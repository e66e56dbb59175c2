// A node:http service whose handler fails, run as its own process so that an unhandled
// rejection or an uncaught exception does what it does in production.
// argv: traced (on|off); failure: `reject` (an async handler rejects), `throw` (a plain
// handler throws), `hang` (never answers); survive (yes|no): an app-level unhandledRejection
// handler that logs and carries on, as many servers have.
import { createServer } from 'node:http';
import { registerGalileo, traceHttpHandler } from '../../../dist/index.js';

const [traced, failure, survive] = process.argv.slice(2);
const galileo = traced === 'on' ? registerGalileo({ serviceName: 'handler-errors' }) : undefined;
if (survive === 'yes') {
  process.on('unhandledRejection', (error) => {
    process.stdout.write(`UNHANDLED ${error.message}\n`);
  });
}
const handlers = {
  reject: async () => {
    process.stdout.write('HANDLING\n');
    await new Promise((resolve) => setTimeout(resolve, 1));
    throw new Error('boom');
  },
  throw: () => {
    process.stdout.write('HANDLING\n');
    throw new Error('boom');
  },
  hang: async (_req, res) => {
    // Listed after the tracer's own listener: when this prints, the server span has ended.
    res.on('close', () => process.stdout.write('CLIENT GONE\n'));
    process.stdout.write('HANDLING\n');
  },
};
const handler = handlers[failure];
const server = createServer(galileo ? traceHttpHandler(handler) : handler);
server.listen(0, '127.0.0.1', () => process.stdout.write(`LISTENING ${server.address().port}\n`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
});
