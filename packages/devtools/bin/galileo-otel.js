#!/usr/bin/env node
// A committed entry point, so npm links the command at install time, before the first build.
// The Node check comes first and the CLI is imported only after it: the store needs node:sqlite,
// and an older Node would otherwise die on that import with a stack trace instead of one line.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `galileo-otel needs Node.js >= 22.18 (for node:sqlite); this is Node.js ${process.versions.node}.\n`,
  );
  process.exit(1);
}
await import('../dist/cli.js');
