#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startLocalModel } from './start-local-model.js';

const USAGE = `Usage: galileo-otel-local-model [--port <n>] [--host <addr>] [--scenario-file <path>]

Starts the deterministic offline model server (OpenAI and Anthropic under /v1, Gemini under
/v1beta and /v1).
  --port            port to listen on (default 0 = any free port)
  --host            interface to bind (default 127.0.0.1)
  --scenario-file   JSON {"byModel": {...}, "byText": {...}} mapping to scenarios
`;

/** Environment settings that point the supported SDKs at a server running at `url`. */
function envFor(url: string): string[] {
  return [
    `OPENAI_BASE_URL=${url}/v1`,
    'OPENAI_API_KEY=sk-local',
    `GOOGLE_GEMINI_BASE_URL=${url}`,
    'GEMINI_API_KEY=local',
    'GOOGLE_GENAI_API_KEY=local',
    `ANTHROPIC_BASE_URL=${url}`,
    'ANTHROPIC_API_KEY=local',
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'scenario-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  }
  const server = await startLocalModel({
    port,
    host: values.host,
    ...(values['scenario-file'] ? { scenarioFile: values['scenario-file'] } : {}),
  });
  process.stdout.write(
    `local-model listening on ${server.url}\n\nPoint the SDKs at it with:\n${envFor(server.url)
      .map((line) => `  export ${line}`)
      .join('\n')}\n`,
  );
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
  process.exit(1);
});
