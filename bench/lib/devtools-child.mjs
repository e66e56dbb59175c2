// The project's local Galileo receiver (@galileo-otel/devtools, in-memory SQLite) in its own
// process, so its ingest and storage CPU never counts against the pipeline being measured.
import { startDevServer } from '@galileo-otel/devtools';

const server = await startDevServer({
  port: 0,
  dbPath: ':memory:',
  maxBodyBytes: 64 * 1024 * 1024,
});
process.send?.({ type: 'ready', url: server.otlpUrl });
process.on('message', async (message) => {
  if (message?.type === 'close') {
    await server.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
