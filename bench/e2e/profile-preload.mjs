// Preloaded (`--import`) into a demo service by bench/profile-demo.mjs: the first SIGUSR2 starts
// V8's sampling profiler, the second writes `$PROFILE_DIR/<SERVICE_NAME>-<on|off>.cpuprofile`.
// Warm-up requests before the first signal stay out of the profile.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

const session = new Session();
session.connect();
let running = false;
process.on('SIGUSR2', async () => {
  if (!running) {
    running = true;
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    return;
  }
  const { profile } = await session.post('Profiler.stop');
  const mode = process.env.GALILEO_OTEL === 'off' ? 'off' : 'on';
  const file = `${process.env.PROFILE_DIR}/${process.env.SERVICE_NAME}-${mode}.cpuprofile`;
  writeFileSync(file, JSON.stringify(profile));
  process.stdout.write(`[profile] ${file}\n`);
});
