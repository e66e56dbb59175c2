import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const repoRoot = join(packageDir, '..', '..');

/** The package folder (the cwd for child processes, so they resolve its dependencies). */
export const adapterPackageDir: string = packageDir;

/**
 * Builds the adapter as published into `.vitest/<name>` (its own folder, so a parallel build
 * cannot race) and returns the `file:` URL of its entry point plus a cleanup.
 */
export async function buildAdapter(name: string): Promise<{ url: string; remove(): void }> {
  const outDir = join(packageDir, '.vitest', name);
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  await exec(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: packageDir,
  }).catch((error: { stdout?: string }) => {
    throw new Error(`building the adapter failed:\n${error.stdout ?? String(error)}`);
  });
  return {
    url: pathToFileURL(join(outDir, 'index.js')).href,
    remove: () => rmSync(outDir, { recursive: true, force: true }),
  };
}
