#!/usr/bin/env node
/**
 * `affpanel` command line. Runs the compiled CLI in dist/ (see src/cli/index.ts); from a source
 * checkout, build it first with `npm run build`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('affpanel: the CLI is not built yet: run npm run build first\n');
  process.exit(1);
}
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2));
