/**
 * Web imports and dry runs as background jobs the page polls. One job runs at a time per server
 * process (a second start is refused with 409 until it ends); a job's progress lives in this
 * process's memory only, so with several instances the page must poll the one that started it.
 * Every import is all-or-nothing (importFile's `allOrNothing`): a job that fails stores nothing.
 * A job owns its uploaded file and deletes it when it ends, however it ends. Imports (not dry
 * runs) are audited when they end: who, file, source, sheet and counts, or the failure.
 */
import { randomUUID } from 'node:crypto';
import { type Actor, recordAudit } from '../access/audit.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import {
  ImportAbortedError,
  type ImportFormat,
  type ImportProgress,
  type ImportSummary,
  importFile,
  rowWord,
} from './import-file.js';
import type { SavedUpload } from './save-upload.js';
import type { ImportErrorCode, ImportRowError } from './sheet-row.js';

export type ImportJobKind = 'dry_run' | 'import';
/** `reading`: rows are read and checked; `storing`: the one transaction runs; then an end state. */
export type ImportJobState = 'reading' | 'storing' | 'finished' | 'failed';

export interface ImportJobView {
  id: string;
  kind: ImportJobKind;
  state: ImportJobState;
  file: string;
  format: ImportFormat;
  /** How rows are numbered in `errors`: file lines (CSV) or sheet rows (XLSX). */
  lineWord: 'line' | 'row';
  source: string;
  /** The sheet asked for; once read, the sheet the events got. */
  sheet: string | null;
  by: string;
  startedAt: string;
  finishedAt: string | null;
  /** Data rows read so far. */
  rows: number;
  /** Known once the whole file has been read (from `storing` on), else null. */
  rowsTotal: number | null;
  /** Dry run: rows that would be accepted. Import: rows stored (0 until stored, and on failure). */
  accepted: number;
  duplicates: number;
  rejected: number;
  /** The first rejected rows by line (`rejected` counts them all). */
  errors: ImportRowError[];
  rejectedByCode: Partial<Record<ImportErrorCode, number>>;
  ignoredColumns: string[];
  timeFallbacks: { rows: number; firstLine: number | null };
  /** Brands of the imported rows (for a link to the event log), at most 20. */
  brands: string[];
  /** The earliest and latest event time of the imported rows (ISO), for the same link. */
  occurred: { from: string; to: string } | null;
  /** Why the job failed (nothing was stored), or null. */
  error: { code: string; message: string } | null;
}

export interface ImportJobOptions {
  /** Most data rows a web import reads (all of them are held in memory until stored). */
  maxRows: number;
  /** Row errors a job keeps, lowest lines first. */
  maxErrors: number;
  /** Jobs kept for polling (the oldest finished ones are forgotten first). */
  keep: number;
  /** Told when an import's audit entry cannot be written (the import itself stands). */
  onAuditError: (error: unknown) => void;
  /** What runs a job (tests pass one they can hold); importFile by default. */
  importer?: typeof importFile;
}

export interface StartImport {
  kind: ImportJobKind;
  sourceSlug: string;
  sheet?: string;
}

interface Job {
  view: ImportJobView;
  done: Promise<void>;
  stop: AbortController;
}

export class ImportJobs {
  private readonly jobs = new Map<string, Job>();
  private running: Job | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly options: ImportJobOptions,
  ) {}

  /** The running job, if any (so a page opened later can show it). */
  current(): ImportJobView | null {
    return this.running ? { ...this.running.view } : null;
  }

  /** Throws 409 while a job runs (checked before a file is received, and again when it starts). */
  ensureIdle(): void {
    if (!this.running) return;
    const busy = this.running.view;
    throw new AppError(
      'conflict',
      `an import is already running (${busy.file} into ${busy.source}, started by ${busy.by}): ` +
        'one import runs at a time, try again when it has finished',
    );
  }

  get(id: string): ImportJobView {
    const job = this.jobs.get(id);
    if (!job)
      throw new AppError('not_found', `no import job ${id} (jobs are kept until the server restarts)`);
    return { ...job.view };
  }

  /**
   * Starts a job on an uploaded file, which the job then owns (and deletes when it ends). Refuses
   * with 409 while another job runs, deleting the file.
   */
  async start(upload: SavedUpload, request: StartImport, actor: Actor): Promise<ImportJobView> {
    try {
      this.ensureIdle();
    } catch (error) {
      await upload.remove();
      throw error;
    }
    const view: ImportJobView = {
      id: randomUUID(),
      kind: request.kind,
      state: 'reading',
      file: upload.name,
      format: upload.format,
      lineWord: rowWord(upload.format),
      source: request.sourceSlug,
      sheet: request.sheet ?? null,
      by: actor.label,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      rows: 0,
      rowsTotal: null,
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      errors: [],
      rejectedByCode: {},
      ignoredColumns: [],
      timeFallbacks: { rows: 0, firstLine: null },
      brands: [],
      occurred: null,
      error: null,
    };
    const stop = new AbortController();
    const job: Job = { view, stop, done: Promise.resolve() };
    this.running = job;
    this.remember(job);
    job.done = this.run(job, upload, request, actor);
    return { ...view };
  }

  /** Waits for the running job, if any, to end by itself. */
  async idle(): Promise<void> {
    await this.running?.done;
  }

  /** Stops the running job (nothing is stored) and waits for it to end. */
  async close(): Promise<void> {
    const job = this.running;
    if (!job) return;
    job.stop.abort();
    await job.done;
  }

  private remember(job: Job): void {
    this.jobs.set(job.view.id, job);
    for (const [id, old] of this.jobs) {
      if (this.jobs.size <= this.options.keep) break;
      if (old !== this.running) this.jobs.delete(id);
    }
  }

  private async run(job: Job, upload: SavedUpload, request: StartImport, actor: Actor): Promise<void> {
    const view = job.view;
    const onProgress = (p: ImportProgress) => {
      view.rows = p.rows;
      view.accepted = request.kind === 'dry_run' ? p.accepted : 0;
      view.duplicates = p.duplicates;
      view.rejected = p.rejected;
    };
    // The outcome is published only once the file is deleted and the audit written, so a page
    // that sees the job end sees everything it left behind.
    let outcome: ImportJobView;
    try {
      const summary = await (this.options.importer ?? importFile)(
        this.ctx,
        upload.path,
        {
          sourceSlug: request.sourceSlug,
          sheet: request.sheet,
          fileName: upload.name,
          dryRun: request.kind === 'dry_run',
          allOrNothing: true,
          maxRows: this.options.maxRows,
          maxErrors: this.options.maxErrors,
          signal: job.stop.signal,
          onStore: () => {
            view.state = 'storing';
            view.rowsTotal = view.rows;
          },
        },
        onProgress,
      );
      outcome = this.settled(view, summary);
      if (summary.interrupted) {
        outcome = this.failed(
          outcome,
          new AppError('unavailable', 'the server shut down during the import: nothing was stored'),
        );
      }
    } catch (error) {
      const counted = error instanceof ImportAbortedError ? this.settled(view, error.summary) : view;
      outcome = this.failed(counted, error);
    } finally {
      await upload.remove();
    }
    if (request.kind === 'import') await this.audit(outcome, actor);
    Object.assign(view, outcome, { finishedAt: new Date().toISOString() });
    if (this.running === job) this.running = null;
  }

  /** The job as it ended with this summary. */
  private settled(view: ImportJobView, summary: ImportSummary): ImportJobView {
    return {
      ...view,
      state: 'finished',
      sheet: summary.sheet,
      rows: summary.rows,
      rowsTotal: summary.rows,
      accepted: summary.accepted,
      duplicates: summary.duplicates,
      rejected: summary.rejected,
      errors: summary.errors,
      rejectedByCode: summary.rejectedByCode,
      ignoredColumns: summary.ignoredColumns,
      timeFallbacks: summary.timeFallbacks,
      brands: summary.brands ?? [],
      occurred: summary.occurred ?? null,
    };
  }

  /** The job as it failed: nothing was stored, so an import counts nothing accepted. */
  private failed(view: ImportJobView, error: unknown): ImportJobView {
    const stored = view.kind === 'import' ? { accepted: 0, duplicates: 0, brands: [], occurred: null } : {};
    return {
      ...view,
      ...stored,
      state: 'failed',
      error:
        error instanceof AppError
          ? { code: error.code, message: error.message }
          : { code: 'internal', message: 'the import failed unexpectedly: nothing was stored' },
    };
  }

  private async audit(view: ImportJobView, actor: Actor): Promise<void> {
    const source = await this.ctx.sources.get(view.source).catch(() => undefined);
    await recordAudit(this.ctx.db.kysely, actor, {
      action: view.state === 'finished' ? 'import.run' : 'import.fail',
      targetType: 'source',
      targetId: source?.id ?? view.source,
      after: {
        job: view.id,
        file: view.file,
        source: view.source,
        sheet: view.sheet,
        rows: view.rows,
        accepted: view.accepted,
        duplicates: view.duplicates,
        rejected: view.rejected,
        ...(view.error ? { error: view.error.message } : {}),
      },
    }).catch(this.options.onAuditError);
  }
}
