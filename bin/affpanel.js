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
// Output piped into a reader that stops early (`affpanel source list | head -1`): stop quietly,
// as other command-line tools do, instead of crashing on the closed pipe.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2));
