import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** A headless Chromium context of its own, and how to close it and remove its profile. */
export interface TestBrowser {
  browser: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches the machine's Chromium headless with a throw-away profile and no background traffic;
 * `args` adds switches (e.g. `--host-resolver-rules`). Never downloads a browser.
 */
export async function launchChromium(
  options: { args?: string[]; viewport?: { width: number; height: number } } = {},
): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'galileo-devtools-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(options.args ?? []),
    ],
    ...(options.viewport ? { viewport: options.viewport } : {}),
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
