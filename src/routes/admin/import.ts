/**
 * `/api/admin/import`: the web import of CSV/XLSX files of events (admins only).
 *
 * A file travels as the raw request body (`Content-Type: application/octet-stream`, its name in
 * `?name=`), streamed to a temporary file with a size limit (413 past it). Each request carries
 * the file again: a preview reads its first rows, a job (`dryRun=true` or an import) reads all of
 * it in the background and the page polls `jobs/:id`. Nothing about a file is kept between
 * requests, so the temporary file never outlives the request or job that received it. One job
 * runs at a time per server; imports are all-or-nothing and audited (see src/import/import-jobs.ts).
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actorOf } from '../../access/guards.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { checkSheetName, resolveSource } from '../../import/import-file.js';
import { ImportJobs } from '../../import/import-jobs.js';
import { previewFile } from '../../import/preview-file.js';
import { type SavedUpload, saveUpload } from '../../import/save-upload.js';

/** Largest file the web import takes; larger ones go through `affpanel import`. */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;
/**
 * Most data rows a web import reads. Every row is held in memory until the one transaction that
 * stores them (≈ 1.5-2.3 kB a row), and on SQLite that transaction holds the write lock while it
 * runs (≈ 60 µs a row): 50,000 rows keep it to a few seconds, under the 5 s busy timeout that
 * postbacks wait for the lock. Larger files: `affpanel import`, which streams in chunks.
 */
export const IMPORT_MAX_ROWS = 50_000;
const JOB_ERRORS_KEPT = 500;
const JOBS_KEPT = 20;

const UPLOAD_TYPE = 'application/octet-stream';

const fileQuery = z.object({
  name: z.string({ error: 'name (the file name) is required' }).min(1, 'name (the file name) is required'),
  source: z
    .string({ error: 'source is required' })
    .trim()
    .regex(/^[\w.-]{1,64}$/, 'source must be a source slug'),
  sheet: z.string().max(128, 'sheet must be at most 128 characters').optional(),
});

const jobQuery = fileQuery.extend({
  dryRun: z.enum(['true', 'false', '1', '0'], { error: 'dryRun must be true or false' }).optional(),
});

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new AppError('bad_request', issue?.message ?? 'invalid query', { field: issue?.path.join('.') });
}

function declaredLength(request: FastifyRequest): number | undefined {
  const header = request.headers['content-length'];
  const length = header === undefined ? Number.NaN : Number(header);
  return Number.isFinite(length) ? length : undefined;
}

/** The request body as the stream the upload parser left it (another content type was parsed). */
function uploadBody(request: FastifyRequest): Readable {
  const body = request.body;
  if (body instanceof Readable) return body;
  throw new AppError(
    'bad_request',
    `send the file as the request body with Content-Type: ${UPLOAD_TYPE} and its name in ?name=`,
    { field: 'file' },
  );
}

async function receive(request: FastifyRequest, name: string): Promise<SavedUpload> {
  return saveUpload(uploadBody(request), name, IMPORT_MAX_BYTES, declaredLength(request));
}

export async function adminImportRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const jobs = new ImportJobs(ctx, {
    maxRows: IMPORT_MAX_ROWS,
    maxErrors: JOB_ERRORS_KEPT,
    keep: JOBS_KEPT,
    onAuditError: (error) => app.log.error({ err: error }, 'import audit entry not written'),
  });
  app.addHook('onClose', async () => {
    await jobs.close();
  });

  app.get('/api/admin/import', async () => ({
    sources: ctx.sources
      .list()
      .map((s) => ({ slug: s.slug, name: s.name, template: s.template, isActive: s.isActive }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    limits: { maxBytes: IMPORT_MAX_BYTES, maxRows: IMPORT_MAX_ROWS },
    running: jobs.current(),
  }));

  app.get<{ Params: { id: string } }>('/api/admin/import/jobs/:id', async (request) => ({
    job: jobs.get(request.params.id),
  }));

  // The upload routes read the body as a stream: their parser lives in this scope only.
  await app.register(async (uploads) => {
    uploads.addContentTypeParser(UPLOAD_TYPE, (_request, payload, done) => {
      done(null, payload);
    });

    uploads.post('/api/admin/import/preview', async (request) => {
      const query = parse(fileQuery, request.query);
      checkSheetName(query.sheet);
      await resolveSource(ctx, query.source);
      const upload = await receive(request, query.name);
      try {
        const preview = await previewFile(ctx, upload.path, {
          sourceSlug: query.source,
          sheet: query.sheet,
          fileName: upload.name,
        });
        return { preview: { ...preview, size: upload.size } };
      } finally {
        await upload.remove();
      }
    });

    uploads.post('/api/admin/import/jobs', async (request, reply) => {
      const query = parse(jobQuery, request.query);
      checkSheetName(query.sheet);
      await resolveSource(ctx, query.source);
      jobs.ensureIdle();
      const upload = await receive(request, query.name);
      const job = await jobs.start(
        upload,
        {
          kind: query.dryRun === 'true' || query.dryRun === '1' ? 'dry_run' : 'import',
          sourceSlug: query.source,
          sheet: query.sheet,
        },
        actorOf(request),
      );
      return reply.code(202).send({ job });
    });
  });
}
