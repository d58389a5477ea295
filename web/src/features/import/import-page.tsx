/**
 * Import `/admin/import` (admins): a CSV or XLSX file of events into a source, through the same
 * pipeline as a postback. Pick the source and a file (or drop it), see the preview with the field
 * each column fills and what would happen to the first rows, pick the worksheet of a workbook, then
 * run a dry run (checks every row, stores nothing) or the import. Both run as a job on the server;
 * the page polls it for progress and shows the counts and every rejected row's line and reason.
 * An import is all-or-nothing: if it fails, nothing from the file is stored.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useUrlState } from '../../lib/url-state';
import { EmptyState, ErrorState, Skeleton, TableSkeleton } from '../../ui/states';
import { FilePicker, fileProblem } from './file-picker';
import {
  type ImportJobView,
  type ImportSetup,
  isRunning,
  type PreviewAnswer,
  useImportSetup,
  useJob,
  usePreview,
  useStartJob,
} from './import-api';
import { Actions, SheetSelect, SourceSelect } from './import-controls';
import { JobResult } from './job-result';
import { PreviewTable } from './preview-table';
import { importSearch } from './url-state';
import './import.css';

function PreviewSection({
  preview,
  loading,
  error,
  onRetry,
}: {
  preview: PreviewAnswer | undefined;
  loading: boolean;
  error: unknown;
  onRetry: () => void;
}) {
  if (error) return <ErrorState error={error} onRetry={onRetry} title="Could not preview this file" />;
  if (!preview) return <TableSkeleton rows={5} columns={6} />;
  const where = preview.format === 'xlsx' ? 'row' : 'line';
  return (
    <div className={`im-preview-wrap${loading ? ' is-fetching' : ''}`} aria-busy={loading}>
      {preview.headerProblem ? (
        <p className="form-error" role="alert" data-testid="import-header-problem">
          This file cannot be imported into {preview.source.slug}: {preview.headerProblem}.
        </p>
      ) : null}
      {!preview.source.isActive ? (
        <p className="note">Source {preview.source.slug} is inactive: every row would be rejected.</p>
      ) : null}
      {preview.columns.length > 0 ? (
        <>
          <p className="muted im-small" data-testid="import-preview-summary">
            {preview.rows.length === 0
              ? 'The file has a header but no data rows.'
              : `The first ${preview.rows.length} rows${preview.more ? ' (more follow)' : ''}; header on ${where} ${
                  preview.headerLine
                }. Events get sheet “${preview.sheet}” unless a row names its own.`}
          </p>
          <PreviewTable preview={preview} />
        </>
      ) : null}
    </div>
  );
}

/** Refreshes every figure on other pages once an import has stored rows. */
function useRefreshAfterImport(job: ImportJobView | undefined) {
  const client = useQueryClient();
  const storedId = job?.kind === 'import' && job.state === 'finished' ? job.id : null;
  useEffect(() => {
    if (storedId) void client.invalidateQueries({ predicate: (query) => query.queryKey[0] !== 'admin' });
  }, [storedId, client]);
}

function ImportForm({ setup }: { setup: ImportSetup }) {
  const [search, setSearch] = useUrlState(importSearch);
  const [file, setFile] = useState<File | null>(null);
  const [sheet, setSheet] = useState<string | undefined>(undefined);
  const source = search.source && setup.sources.some((s) => s.slug === search.source) ? search.source : '';
  const problem = file ? fileProblem(file, setup.limits.maxBytes) : null;
  const preview = usePreview(problem ? null : file, source, sheet);
  const jobId = search.job ?? setup.running?.id;
  const job = useJob(jobId);
  useRefreshAfterImport(job.data);
  const startJob = useStartJob();
  const start = useMutation({
    mutationFn: startJob,
    onSuccess: (started) => setSearch({ job: started.id }),
  });
  const running = job.data ? isRunning(job.data) : false;
  const previewReady =
    preview.data !== undefined &&
    !preview.isFetching &&
    !preview.isError &&
    preview.data.headerProblem === null;
  const canRun = file !== null && problem === null && source !== '' && previewReady;

  const chooseFile = (chosen: File) => {
    setFile(chosen);
    setSheet(undefined);
    start.reset();
    setSearch({ job: undefined });
  };
  const run = (dryRun: boolean) => {
    if (!file) return;
    start.mutate({ file, source, sheet: preview.data?.sheets ? preview.data.sheet : undefined, dryRun });
  };

  return (
    <>
      <section className="card" aria-labelledby="im-file-title">
        <div className="card-head">
          <h2 id="im-file-title" className="im-title">
            File and source
          </h2>
        </div>
        <div className="card-body im-form">
          <SourceSelect
            sources={setup.sources}
            value={source}
            disabled={running || start.isPending}
            onChange={(slug) => {
              start.reset();
              setSearch({ source: slug || undefined, job: undefined });
            }}
          />
          <FilePicker
            file={file}
            onFile={chooseFile}
            maxBytes={setup.limits.maxBytes}
            maxRows={setup.limits.maxRows}
            disabled={running || start.isPending}
          />
          {preview.data && preview.data.file === file?.name ? (
            <SheetSelect preview={preview.data} onChange={setSheet} disabled={running || start.isPending} />
          ) : null}
        </div>
        {problem ? (
          <p className="form-error im-pad" role="alert">
            {problem}
          </p>
        ) : null}
      </section>

      {file && !problem && source ? (
        <section className="card" aria-labelledby="im-preview-title">
          <div className="card-head">
            <h2 id="im-preview-title" className="im-title">
              Preview
            </h2>
          </div>
          <div className="card-body im-stack">
            <PreviewSection
              preview={preview.data}
              loading={preview.isFetching}
              error={preview.error}
              onRetry={() => preview.refetch()}
            />
            <Actions canRun={canRun} busy={running || start.isPending} onRun={run} startError={start.error} />
          </div>
        </section>
      ) : !file || !source ? (
        <div className="card">
          <EmptyState title={source ? 'Choose a file to import' : 'Choose the source and a file'}>
            The source decides which column names are understood (its platform template). Each row becomes one
            event, checked like a postback.
          </EmptyState>
        </div>
      ) : null}

      {jobId ? (
        job.data ? (
          <JobResult job={job.data} />
        ) : job.isError ? (
          <div className="card">
            <ErrorState
              error={job.error}
              onRetry={() => job.refetch()}
              title="Could not load the import job"
            />
          </div>
        ) : (
          <div className="card card-body">
            <Skeleton height={60} />
          </div>
        )
      ) : null}
    </>
  );
}

export function ImportPage() {
  const setup = useImportSetup();
  return (
    <>
      <div className="page-head">
        <div className="sub">
          Events from a CSV or XLSX file (an export of a reporting sheet, say), through the same checks as a
          postback.
        </div>
      </div>
      {setup.isError ? (
        <div className="card">
          <ErrorState
            error={setup.error}
            onRetry={() => setup.refetch()}
            title="Could not load the sources"
          />
        </div>
      ) : !setup.data ? (
        <div className="card card-body">
          <Skeleton height={90} />
        </div>
      ) : setup.data.sources.length === 0 ? (
        <div className="card">
          <EmptyState title="No sources yet">
            Events belong to a source. Add one under Sources admin, then import into it.
          </EmptyState>
        </div>
      ) : (
        <ImportForm setup={setup.data} />
      )}
    </>
  );
}
