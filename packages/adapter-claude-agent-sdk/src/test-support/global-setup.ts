import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

/** Where the real SDK is, handed to every test file through `inject('claudeAgentSdk')`. */
export interface InstalledSdk {
  /** The SDK's ESM entry (`sdk.mjs`). */
  entry: string;
  /** `@modelcontextprotocol/sdk` installed next to it. */
  mcpSdkDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    claudeAgentSdk: InstalledSdk;
  }
}

const SCRIPT = fileURLToPath(new URL('../../../../scripts/claude-agent-sdk.mjs', import.meta.url));

/**
 * Installs the real Claude Agent SDK and its native CLI once, for every test file: the
 * repository's `scripts/claude-agent-sdk.mjs` puts pinned versions in
 * `node_modules/.cache/claude-agent-sdk/` (the workspace's `npm install` never does; it is
 * 490 MB), or finds them there.
 */
export default function setup(project: TestProject): void {
  const out = execFileSync(process.execPath, [SCRIPT], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { entry, mcpSdkDir } = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as InstalledSdk;
  project.provide('claudeAgentSdk', { entry, mcpSdkDir });
}
