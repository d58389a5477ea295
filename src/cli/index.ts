/**
 * The `affpanel` command line: parses arguments with commander and runs one command from its own
 * module. `runCli` returns the exit code instead of exiting (0 ok, 1 failure, 2 bad usage), so it
 * can be driven from tests; `bin/affpanel.js` calls it with the process's arguments.
 */
import { Command, CommanderError, Option } from 'commander';
import { demoCommand } from './demo.js';
import { describeError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, exitCodeFor } from './errors.js';
import { importCommand } from './import.js';
import { migrateCommand } from './migrate.js';
import { type Output, stdio } from './output.js';
import { rollupsRebuildCommand } from './rollups.js';
import { sourceAddCommand, sourceListCommand, sourceRotateKeyCommand } from './source.js';
import { userAddCommand, userLinkCommand, userListCommand } from './user.js';
import { type ConfigLoader, defaultConfig } from './with-context.js';

/** `--allow a --allow b,c` -> [a, b, c]. */
function collectList(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return [...(previous ?? []), ...items];
}

/** Ctrl-C stops an import after the chunk in flight; a second Ctrl-C quits at once. */
function interruptible(output: Output): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    output.err('Stopping after the rows in flight (Ctrl-C again to quit at once)...');
  };
  process.on('SIGINT', onSignal);
  return { signal: controller.signal, release: () => process.off('SIGINT', onSignal) };
}

function buildProgram(output: Output, getConfig: ConfigLoader, setExit: (code: number) => void): Command {
  const program = new Command()
    .name('affpanel')
    .description('AFFPanel (S2S Galaxy) administration: database, sources, users, demo data, imports.')
    .option('--verbose', 'print the stack trace of an error')
    .showHelpAfterError('(run "affpanel --help" for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.out(text.replace(/\n$/, '')),
      writeErr: (text) => output.err(text.replace(/\n$/, '')),
    });

  program
    .command('migrate')
    .description('apply database migrations (the server also does this on start)')
    .action(async () => setExit(await migrateCommand({}, output, getConfig)));

  program
    .command('rollups')
    .description('the counters the pages read (SQLite keeps them in a file of their own)')
    .command('rebuild')
    .description('count every event again into a new rollups file (SQLite; stop the server first)')
    .action(async () => setExit(await rollupsRebuildCommand({}, output, getConfig)));

  const source = program.command('source').description('manage event sources (networks)');
  source
    .command('add')
    .description('register a source and print its key and postback URL')
    .argument('<slug>', 'URL name of the source: letters, digits, - and _')
    .requiredOption('--template <id>', 'platform template: referon, cellxpert, affise, cparound or generic')
    .option('--name <name>', 'display name (default: the slug in upper case)')
    .addOption(
      new Option('--auth <mode>', 'how postbacks authenticate').choices(['key', 'hmac']).default('key'),
    )
    .option('--allow <cidr>', 'accept postbacks only from this address or CIDR (repeatable)', collectList)
    .option('--default-currency <code>', 'currency for amounts sent without one, e.g. EUR')
    .action(
      async (
        slug: string,
        opts: { template: string; name?: string; auth?: string; allow?: string[]; defaultCurrency?: string },
      ) => setExit(await sourceAddCommand({ slug, ...opts }, output, getConfig)),
    );
  source
    .command('list')
    .description('list sources with their keys and postback URLs')
    .action(async () => setExit(await sourceListCommand({}, output, getConfig)));
  source
    .command('rotate-key')
    .description('give a source a new key; the old one works for KEY_ROTATION_GRACE_SECONDS')
    .argument('<slug>', 'the source')
    .action(async (slug: string) => setExit(await sourceRotateKeyCommand({ slug }, output, getConfig)));

  const user = program.command('user').description('manage who may log in');
  user
    .command('add')
    .description('add an approved user by Telegram ID')
    .requiredOption('--telegram-id <id>', "the person's numeric Telegram ID")
    .addOption(new Option('--role <role>', 'admin or viewer').choices(['admin', 'viewer']).default('viewer'))
    .option('--first-name <name>', 'first name')
    .option('--last-name <name>', 'last name')
    .option('--username <name>', 'Telegram username, without @')
    .action(
      async (opts: {
        telegramId: string;
        role?: string;
        firstName?: string;
        lastName?: string;
        username?: string;
      }) => setExit(await userAddCommand(opts, output, getConfig)),
    );
  user
    .command('list')
    .description('list users with role, status and last login')
    .action(async () => setExit(await userListCommand({}, output, getConfig)));
  user
    .command('link')
    .description('print a one-time login link (1 hour) for a user')
    .argument('<user>', 'user id, Telegram ID or @username')
    .action(async (who: string) => setExit(await userLinkCommand({ user: who }, output, getConfig)));

  program
    .command('demo')
    .description('fill the database with a realistic demo dataset')
    .option('--events <n>', 'how many events (1 to 100,000,000)', '20000')
    .option('--seed <n>', 'random seed: the same seed gives the same data', '1')
    .option('--days <n>', 'how many days back the events spread over', '90')
    .action(async (opts: { events?: string; seed?: string; days?: string }) =>
      setExit(await demoCommand(opts, output, getConfig)),
    );

  program
    .command('import')
    .description('import events from a CSV or XLSX file into a source')
    .argument('<file>', 'a .csv or .xlsx file with a header row')
    .requiredOption('--source <slug>', 'the source the events belong to')
    .option(
      '--sheet <name>',
      'XLSX: the worksheet to read (default: the first); CSV: the sheet name to record',
    )
    .option('--dry-run', 'check every row, store nothing')
    .action(async (file: string, opts: { source: string; sheet?: string; dryRun?: boolean }) => {
      const stop = interruptible(output);
      try {
        setExit(await importCommand({ file, ...opts, signal: stop.signal }, output, getConfig));
      } finally {
        stop.release();
      }
    });

  return program;
}

/** Runs one command line (the arguments after `affpanel`) and resolves with its exit code. */
export async function runCli(
  args: string[],
  output: Output = stdio,
  getConfig: ConfigLoader = defaultConfig,
): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram(output, getConfig, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the problem (or the help) already.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
      return EXIT_USAGE;
    }
    output.err(`affpanel: ${describeError(error)}`);
    const verbose = program.opts<{ verbose?: boolean }>().verbose === true;
    if (verbose && error instanceof Error && error.stack) output.err(error.stack);
    const code = exitCodeFor(error);
    return code === EXIT_OK ? EXIT_FAILURE : code;
  }
}
