// The project's deterministic offline model server in its own process.
import { startLocalModel } from '@galileo-otel/local-model';

const model = await startLocalModel({ port: 0 });
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
