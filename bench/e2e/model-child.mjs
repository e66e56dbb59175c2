// The project's deterministic offline model server in its own process. argv[2], optional:
// scenario rules as JSON (`startLocalModel`'s `scenarios`), e.g. a latency per model name for
// clients that cannot send the `x-local-model-scenario` header.
import { startLocalModel } from '@galileo-otel/local-model';

const scenarios = process.argv[2] ? JSON.parse(process.argv[2]) : undefined;
const model = await startLocalModel({ port: 0, ...(scenarios ? { scenarios } : {}) });
process.send?.({ type: 'ready', url: model.url });
process.on('message', async (message) => {
  if (message?.type === 'stats') {
    process.send?.({ type: 'stats', requests: model.requests.length });
  }
  if (message?.type === 'close') {
    await model.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
