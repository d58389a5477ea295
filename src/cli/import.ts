/**
 * `affpanel import <file> --source <slug>`: a CSV or XLSX file of events into a source, through
 * the postback pipeline. Prints progress every few seconds, then the counts and the first row
 * errors with their lines. Exits 1 when any row was rejected (the good rows are still stored) or
 * the import stopped early; Ctrl-C stops after the chunk in flight, keeping what was stored.
 */
import { CLI_ACTOR, recordAudit } from '../access/audit.js';
import type { AppContext } from '../context.js';
import { ImportAbortedError, type ImportSummary, importFile } from '../import/import-file.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import { count, type Output } from './output.js';
import { type ConfigLoader, defaultConfig, withContext } from './with-context.js';

const PROGRESS_EVERY_MS = 3000;

/** `import.run` / `import.fail` by `cli`, as the web import records them (import-jobs.ts). */
async function auditImport(ctx: AppContext, summary: ImportSummary, error: string | null): Promise<void> {
  const source = await ctx.sources.get(summary.source).catch(() => undefined);
  await recordAudit(ctx.db.kysely, CLI_ACTOR, {
    action: error === null ? 'import.run' : 'import.fail',
    targetType: 'source',
    targetId: source?.id ?? summary.source,
    after: {
      file: summary.file,
      source: summary.source,
      sheet: summary.sheet,
      rows: summary.rows,
      accepted: summary.accepted,
      duplicates: summary.duplicates,
      rejected: summary.rejected,
      ...(summary.interrupted ? { interrupted: true } : {}),
      ...(error === null ? {} : { error }),
    },
  });
}

export interface ImportCommandOptions {
  file: string;
  source: string;
  sheet?: string;
  dryRun?: boolean;
  /** Stops the import early (the CLI wires it to Ctrl-C). */
  signal?: AbortSignal;
}

export function printImportSummary(summary: ImportSummary, output: Output): void {
  const where = summary.format === 'xlsx' ? 'row' : 'line';
  const stored = summary.dryRun ? 'valid' : 'accepted';
  output.out(
    `${summary.dryRun ? 'Dry run (nothing stored)' : 'Imported'} ${summary.file} into source ` +
      `"${summary.source}", sheet "${summary.sheet}"${summary.interrupted ? ' - STOPPED EARLY' : ''}:`,
  );
  output.out(`  rows:       ${count(summary.rows)}`);
  output.out(`  ${`${stored}:`.padEnd(11)} ${count(summary.accepted)}`);
  if (!summary.dryRun) output.out(`  duplicates: ${count(summary.duplicates)}`);
  output.out(`  rejected:   ${count(summary.rejected)}`);
  if (summary.dryRun) output.out('  (duplicates are only recognised when rows are stored)');
  if (summary.ignoredColumns.length > 0) {
    output.out(
      `  ignored columns (no field for them in source "${summary.source}"): ${summary.ignoredColumns.join(', ')}`,
    );
  }
  if (summary.timeFallbacks.rows > 0) {
    output.out(
      `  warning: ${count(summary.timeFallbacks.rows)} ${stored} rows have an event time that could not be read ` +
        `(first: ${where} ${summary.timeFallbacks.firstLine}); they ${summary.dryRun ? 'would get' : 'got'} ` +
        'the time of the import instead. Use ISO 8601 (2024-05-01T12:00:00Z) or Unix seconds.',
    );
  }
  if (summary.errors.length > 0) {
    const shown =
      summary.errors.length < summary.rejected
        ? `first ${summary.errors.length} of ${count(summary.rejected)}`
        : `${summary.errors.length}`;
    output.out(`Errors (${shown}):`);
    for (const e of summary.errors) output.out(`  ${where} ${e.line}: ${e.reason} [${e.code}]`);
  }
  if (summary.interrupted) {
    output.out(
      `Stopped early: rows after ${where} ${summary.lastLine} were not read. Importing the file again is safe ` +
        'for rows with a transaction or player id (they count as duplicates).',
    );
  }
  output.out(`Done in ${summary.seconds.toFixed(1)} s.`);
}

export async function importCommand(
  options: ImportCommandOptions,
  output: Output,
  getConfig: ConfigLoader = defaultConfig,
): Promise<number> {
  if (options.file.trim() === '') throw new UsageError('the file to import is missing');
  if (options.source.trim() === '') throw new UsageError('--source is missing');
  return withContext(getConfig, async (ctx) => {
    const started = performance.now();
    let lastPrint = started;
    let summary: ImportSummary;
    try {
      summary = await importFile(
        ctx,
        options.file,
        {
          sourceSlug: options.source.trim(),
          sheet: options.sheet,
          dryRun: options.dryRun ?? false,
          signal: options.signal,
        },
        (p) => {
          const now = performance.now();
          if (now - lastPrint < PROGRESS_EVERY_MS) return;
          lastPrint = now;
          const rate = p.rows / ((now - started) / 1000);
          output.err(
            `  ${count(p.rows)} rows: ${count(p.accepted)} accepted, ${count(p.duplicates)} duplicates, ` +
              `${count(p.rejected)} rejected (${count(rate)} rows/s)`,
          );
        },
      );
    } catch (error) {
      // What was stored before storage failed stays stored: say how far the import got.
      if (error instanceof ImportAbortedError) {
        printImportSummary(error.summary, output);
        if (!error.summary.dryRun) await auditImport(ctx, error.summary, error.message);
      }
      throw error;
    }
    printImportSummary(summary, output);
    // Stored events are an admin action like the web import's (dry runs store nothing: not audited).
    if (!summary.dryRun) await auditImport(ctx, summary, null);
    return summary.rejected > 0 || summary.interrupted ? EXIT_FAILURE : EXIT_OK;
  });
}
