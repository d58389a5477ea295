/**
 * The import API (`/api/admin/import`) for the Import page: the sources and limits, a file's
 * preview, starting a dry run or an import, and polling its job. A file is sent as the raw request
 * body (`application/octet-stream`, its name in `?name=`), so this module makes those requests
 * itself, with the session's CSRF token, the same error shape as the shared client. Types are the
 * server's own (type-only imports: no server code reaches the bundle).
 */
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ImportJobView } from '../../../../src/import/import-jobs.js';
import type { ImportPreview } from '../../../../src/import/preview-file.js';
import { ApiError, api, toQueryString } from '../../api/client';
import type { Me } from '../../api/types';
import { ME_KEY } from '../../auth/use-me';

export type { ColumnUse } from '../../../../src/import/header.js';
export type { ImportJobView } from '../../../../src/import/import-jobs.js';
export type { ImportPreview, RowVerdict } from '../../../../src/import/preview-file.js';

export interface ImportSource {
  slug: string;
  name: string;
  template: string;
  isActive: boolean;
}

export interface ImportSetup {
  sources: ImportSource[];
  limits: { maxBytes: number; maxRows: number };
  running: ImportJobView | null;
}

export type PreviewAnswer = ImportPreview & { size: number };

/** How often a running job is asked for its progress. */
const POLL_MS = 400;

export function useImportSetup() {
  return useQuery({
    queryKey: ['admin', 'import', 'setup'],
    queryFn: ({ signal }) => api.get<ImportSetup>('/api/admin/import', {}, signal),
  });
}

async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string; field?: string };
  };
  return new ApiError(
    response.status,
    body.error?.code ?? 'http_error',
    body.error?.message ?? `${response.status} ${response.statusText}`,
    body.error?.field,
  );
}

/** POSTs `file` as the raw body to an import route. */
async function sendFile<T>(
  path: string,
  params: Record<string, string | undefined>,
  file: File,
  csrfToken: string | undefined,
  signal?: AbortSignal,
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${path}${toQueryString({ name: file.name, ...params })}`, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/octet-stream',
        ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}),
      },
      body: file,
      credentials: 'same-origin',
      signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'the server cannot be reached — check your connection');
  }
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

/** Identifies a chosen file in query keys (a File object itself is not a stable key). */
export function fileKey(file: File): string {
  return `${file.name}\u0001${file.size}\u0001${file.lastModified}`;
}

function useCsrfToken(): () => string | undefined {
  const client = useQueryClient();
  return () => client.getQueryData<Me | null>(ME_KEY)?.csrfToken;
}

/** The preview of `file` for `source` (and `sheet`), fetched when both are chosen. */
export function usePreview(file: File | null, source: string, sheet: string | undefined) {
  const csrf = useCsrfToken();
  return useQuery({
    queryKey: ['admin', 'import', 'preview', file ? fileKey(file) : null, source, sheet ?? null],
    enabled: file !== null && source !== '',
    queryFn: async ({ signal }) => {
      if (!file) throw new Error('no file chosen');
      const answer = await sendFile<{ preview: PreviewAnswer }>(
        '/api/admin/import/preview',
        { source, sheet },
        file,
        csrf(),
        signal,
      );
      return answer.preview;
    },
    placeholderData: keepPreviousData,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
    refetchOnWindowFocus: false,
  });
}

export interface StartJob {
  file: File;
  source: string;
  sheet?: string;
  dryRun: boolean;
}

/** Starts a dry run or an import of the file; resolves with the new job. */
export function useStartJob() {
  const csrf = useCsrfToken();
  return ({ file, source, sheet, dryRun }: StartJob) =>
    sendFile<{ job: ImportJobView }>(
      '/api/admin/import/jobs',
      { source, sheet, dryRun: dryRun ? 'true' : undefined },
      file,
      csrf(),
    ).then((answer) => answer.job);
}

export function isRunning(job: ImportJobView): boolean {
  return job.state === 'reading' || job.state === 'storing';
}

/** A job, polled while it runs. */
export function useJob(id: string | undefined) {
  return useQuery({
    queryKey: ['admin', 'import', 'job', id ?? null],
    enabled: id !== undefined,
    queryFn: ({ signal }) => api.get<{ job: ImportJobView }>(`/api/admin/import/jobs/${id}`, {}, signal),
    select: (answer) => answer.job,
    refetchInterval: (query) => {
      const job = query.state.data?.job;
      return job && isRunning(job) ? POLL_MS : false;
    },
    refetchOnWindowFocus: false,
  });
}
