/**
 * The web import API against a real database: admins only; uploads streamed to a temporary file
 * that is always deleted, refused with a clear error when too large, misnamed or not what the name
 * says; the preview (columns mapped for the source, first rows with their verdicts, worksheets);
 * dry runs and imports as polled jobs, with per-line errors; all-or-nothing when storage fails
 * part-way (nothing of the file stored, not even its rejections); one job at a time; the audit.
 */
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportJobView } from '../../src/import/import-jobs.js';
import { ImportJobs } from '../../src/import/import-jobs.js';
import { UPLOAD_DIR_PREFIX } from '../../src/import/save-upload.js';
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS } from '../../src/routes/admin/import.js';
import { createTestApp, type LoggedIn, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: LoggedIn;
const SOURCE = 'web-import';

beforeAll(async () => {
  t = await createTestApp('admin-import');
  await t.addSource({ slug: SOURCE, template: 'generic', name: 'Web Import', defaultCurrency: 'EUR' });
  admin = await t.loginAs({ role: 'admin' });
});

afterAll(async () => {
  await t?.close();
});

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${process.pid}x${counter}`;
}

interface UploadOptions {
  name?: string;
  source?: string;
  sheet?: string;
  dryRun?: boolean;
  headers?: Record<string, string>;
  contentType?: string;
}

function upload(path: 'preview' | 'jobs', body: Buffer | string | Readable, options: UploadOptions = {}) {
  const query = new URLSearchParams();
  if (options.name !== undefined) query.set('name', options.name);
  query.set('source', options.source ?? SOURCE);
  if (options.sheet !== undefined) query.set('sheet', options.sheet);
  if (options.dryRun) query.set('dryRun', 'true');
  return t.app.inject({
    method: 'POST',
    url: `/api/admin/import/${path}?${query}`,
    headers: {
      ...(options.headers ?? admin.headers),
      'content-type': options.contentType ?? 'application/octet-stream',
    },
    payload: body,
  });
}

async function finished(id: string): Promise<ImportJobView> {
  for (let i = 0; i < 2000; i++) {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/admin/import/jobs/${id}`,
      headers: admin.headers,
    });
    expect(res.statusCode, res.body).toBe(200);
    const job = res.json().job as ImportJobView;
    if (job.state === 'finished' || job.state === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`job ${id} did not end`);
}

async function runJob(csv: string, options: UploadOptions = {}): Promise<ImportJobView> {
  const res = await upload('jobs', csv, { name: 'events.csv', ...options });
  expect(res.statusCode, res.body).toBe(202);
  const job = res.json().job as ImportJobView;
  expect(job).toMatchObject({ state: 'reading', kind: options.dryRun ? 'dry_run' : 'import' });
  return finished(job.id);
}

async function eventsWith(prefix: string) {
  return t.ctx.db.kysely
    .selectFrom('events')
    .selectAll()
    .where('transaction_id', 'like', `${prefix}%`)
    .orderBy('transaction_id')
    .execute();
}

async function rejectionsWith(prefix: string) {
  return t.ctx.db.kysely
    .selectFrom('rejections')
    .select(['reason_code', 'method', 'source_slug'])
    .where('raw_body', 'like', `%${prefix}%`)
    .execute();
}

async function leftoverUploads(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((f) => f.startsWith(UPLOAD_DIR_PREFIX));
}

async function auditOf(action: string) {
  return t.ctx.db.kysely
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', action)
    .orderBy('id')
    .execute();
}

describe('access', () => {
  it('refuses a viewer on every import route, and a write without the CSRF token', async () => {
    const viewer = await t.loginAs({ role: 'viewer' });
    const list = await t.app.inject({ method: 'GET', url: '/api/admin/import', headers: viewer.headers });
    expect(list.statusCode).toBe(403);
    const job = await t.app.inject({
      method: 'GET',
      url: '/api/admin/import/jobs/x',
      headers: viewer.headers,
    });
    expect(job.statusCode).toBe(403);
    const preview = await upload('preview', 'event,brand\nreg,b\n', {
      name: 'a.csv',
      headers: viewer.headers,
    });
    expect(preview.statusCode).toBe(403);
    const noCsrf = await upload('jobs', 'event,brand\nreg,b\n', {
      name: 'a.csv',
      headers: { cookie: admin.cookie },
    });
    expect(noCsrf.statusCode).toBe(403);
  });

  it('lists the sources to import into and the limits', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/admin/import', headers: admin.headers });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.sources).toContainEqual({
      slug: SOURCE,
      name: 'Web Import',
      template: 'generic',
      isActive: true,
    });
    expect(body.sources.map((s: { slug: string }) => s.slug)).toContain('cellxpert');
    expect(body.limits).toEqual({ maxBytes: IMPORT_MAX_BYTES, maxRows: IMPORT_MAX_ROWS });
    expect(body.running).toBeNull();
  });
});

describe('upload checks', () => {
  it.each([
    [{ name: 'events.txt' }, 400, 'file', /only \.csv and \.xlsx/],
    [{}, 400, 'name', /name \(the file name\) is required/],
    [{ name: 'a.csv', source: 'no-such-source' }, 404, 'source', /unknown source "no-such-source"/],
    [{ name: 'a.csv', source: 'bad slug!' }, 400, 'source', /source slug/],
    [{ name: 'a.csv', sheet: '' }, 400, 'sheet', /sheet name must be 1-128/],
    [
      { name: 'a.csv', contentType: 'application/json' },
      400,
      'file',
      /Content-Type: application\/octet-stream/,
    ],
    [{ name: 'fake.xlsx' }, 422, 'file', /"fake\.xlsx" is not an XLSX workbook/],
    [{ name: 'empty.csv', body: '' }, 422, 'file', /"empty\.csv" is empty/],
  ])('refuses a bad upload, naming the field (case %#)', async (options, status, field, message) => {
    const { body, ...rest } = { body: '{"event":"reg"}', ...options };
    const res = await upload('preview', body, rest);
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json().error.field).toBe(field);
    expect(res.json().error.message).toMatch(message);
    expect(await leftoverUploads()).toEqual([]);
  });

  it('refuses a file over the size limit with 413, by its declared length or while streaming', async () => {
    const big = Buffer.alloc(IMPORT_MAX_BYTES + 1, 0x61);
    const declared = await upload('preview', big, { name: 'big.csv' });
    expect(declared.statusCode).toBe(413);
    expect(declared.json().error).toMatchObject({ code: 'payload_too_large', field: 'file' });
    expect(declared.json().error.message).toMatch(/larger than 20 MiB/);

    // A chunked body (no Content-Length) is cut off when it passes the limit.
    const chunks = Array.from({ length: 21 }, () => Buffer.alloc(1024 * 1024, 0x61));
    const streamed = await upload('jobs', Readable.from(chunks), { name: 'big.csv' });
    expect(streamed.statusCode).toBe(413);
    expect(streamed.json().error.code).toBe('payload_too_large');
    expect(await leftoverUploads()).toEqual([]);
  });
});

describe('preview', () => {
  it('shows the columns mapped for the source and the first rows with their verdicts, storing nothing', async () => {
    const p = unique('pv');
    const rows = ['Event,Brand,commissionamount,Currency,DepositID,Notes,key'];
    rows.push(`purchase,pvbrand,100,USD,${p}-1,a note,secret`);
    rows.push(`nonsense,pvbrand,,,${p}-2,,`);
    for (let i = 3; i <= 25; i++) rows.push(`registration,pvbrand,,,${p}-${i},,`);
    const res = await upload('preview', rows.join('\n'), { name: 'Cx March.csv', source: 'cellxpert' });
    expect(res.statusCode, res.body).toBe(200);
    const preview = res.json().preview;
    expect(preview).toMatchObject({
      file: 'Cx March.csv',
      format: 'csv',
      source: { slug: 'cellxpert', isActive: true },
      sheet: 'Cx March',
      sheets: null,
      headerLine: 1,
      headerProblem: null,
      more: true,
    });
    expect(preview.size).toBe(Buffer.byteLength(rows.join('\n')));
    expect(preview.columns).toEqual([
      { name: 'Event', use: { kind: 'field', field: 'event' } },
      { name: 'Brand', use: { kind: 'field', field: 'brand' } },
      { name: 'commissionamount', use: { kind: 'field', field: 'amount' } },
      { name: 'Currency', use: { kind: 'field', field: 'currency' } },
      { name: 'DepositID', use: { kind: 'field', field: 'transaction_id' } },
      { name: 'Notes', use: { kind: 'ignored' } },
      { name: 'key', use: { kind: 'key' } },
    ]);
    expect(preview.rows).toHaveLength(20);
    expect(preview.rows[0]).toEqual({
      line: 2,
      cells: ['purchase', 'pvbrand', '100', 'USD', `${p}-1`, 'a note', 'secret'],
      verdict: { status: 'valid', type: 'FTD' },
    });
    expect(preview.rows[1]).toMatchObject({
      line: 3,
      verdict: { status: 'rejected', code: 'unknown_event', reason: 'unknown event type "nonsense"' },
    });
    expect(preview.rows[19].line).toBe(21);
    expect(await eventsWith(p)).toEqual([]);
    expect(await rejectionsWith(p)).toEqual([]);
    expect(await leftoverUploads()).toEqual([]);
  });

  it('reports a header the import would refuse, still showing its columns', async () => {
    const res = await upload('preview', 'event,amount\nftd,1\n', { name: 'nobrand.csv' });
    expect(res.statusCode).toBe(200);
    const preview = res.json().preview;
    expect(preview.headerProblem).toBe(
      `no brand column in the header (line 1): it needs one of "brand" (source "${SOURCE}")`,
    );
    expect(preview.columns.map((c: { name: string }) => c.name)).toEqual(['event', 'amount']);
    expect(preview.rows).toEqual([{ line: 2, cells: ['ftd', '1'], verdict: null }]);
  });

  it('lists the worksheets of a workbook and reads the one asked for', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Summary & Notes').addRow(['not', 'events']);
    const ws = wb.addWorksheet('FTDs');
    ws.addRow(['event', 'brand', 'amount', 'transaction_id']);
    ws.addRow(['ftd', 'xbrand', 12.5, 'x-1']);
    wb.addWorksheet('Hidden').state = 'hidden';
    const file = Buffer.from(await wb.xlsx.writeBuffer());

    const first = (await upload('preview', file, { name: 'book.xlsx' })).json().preview;
    expect(first.sheets).toEqual([
      { name: 'Summary & Notes', visible: true },
      { name: 'FTDs', visible: true },
      { name: 'Hidden', visible: false },
    ]);
    expect(first.sheet).toBe('Summary & Notes');
    expect(first.headerProblem).toMatch(/no brand column in the header \(row 1\)/);

    const chosen = (await upload('preview', file, { name: 'book.xlsx', sheet: 'FTDs' })).json().preview;
    expect(chosen).toMatchObject({ format: 'xlsx', sheet: 'FTDs', headerLine: 1, headerProblem: null });
    expect(chosen.rows).toEqual([
      { line: 2, cells: ['ftd', 'xbrand', '12.5', 'x-1'], verdict: { status: 'valid', type: 'FTD' } },
    ]);
  });
});

describe('jobs', () => {
  it('dry run: checks every row and reports errors by line, storing nothing and auditing nothing', async () => {
    const p = unique('dry');
    const job = await runJob(
      [
        'event,brand,amount,transaction_id',
        `ftd,drybrand,10,${p}-1`,
        `ftd,drybrand,1;5,${p}-2`,
        `reg,drybrand,,${p}-3`,
      ].join('\n'),
      { dryRun: true },
    );
    expect(job).toMatchObject({
      kind: 'dry_run',
      state: 'finished',
      file: 'events.csv',
      lineWord: 'line',
      source: SOURCE,
      sheet: 'events',
      rows: 3,
      rowsTotal: 3,
      accepted: 2,
      rejected: 1,
      error: null,
    });
    expect(job.errors).toEqual([{ line: 3, code: 'invalid_amount', reason: expect.any(String) }]);
    expect(await eventsWith(p)).toEqual([]);
    expect(await rejectionsWith(p)).toEqual([]);
    expect((await auditOf('import.run')).filter((a) => a.after?.includes(p))).toEqual([]);
    expect(await leftoverUploads()).toEqual([]);
  });

  it('import: stores the good rows, reports the bad ones by line, logs their rejections, and audits who/what', async () => {
    const p = unique('imp');
    const before = (await auditOf('import.run')).length;
    const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    const job = await runJob(
      [
        'event,brand,amount,currency,transaction_id,timestamp',
        `reg,Impbrand,,,${p}-1,${day}T10:00:00Z`,
        `ftd,impbrand,25.50,USD,${p}-2,${day}T11:00:00Z`,
        `whatever,impbrand,,,${p}-3,`,
        `cpa,impbrand,40,,${p}-4,05/01/2024`,
      ].join('\n'),
      { name: 'May.csv' },
    );
    expect(job).toMatchObject({
      kind: 'import',
      state: 'finished',
      file: 'May.csv',
      sheet: 'May',
      rows: 4,
      rowsTotal: 4,
      accepted: 3,
      duplicates: 0,
      rejected: 1,
      rejectedByCode: { unknown_event: 1 },
      timeFallbacks: { rows: 1, firstLine: 5 },
      brands: ['impbrand'],
      occurred: { from: `${day}T10:00:00.000Z`, to: expect.any(String) },
      error: null,
    });
    // The row whose time could not be read got the time of the import.
    expect(Date.parse(job.occurred?.to ?? '')).toBeGreaterThanOrEqual(Date.parse(job.startedAt));
    expect(job.errors).toEqual([{ line: 4, code: 'unknown_event', reason: 'unknown event type "whatever"' }]);
    expect(job.finishedAt).not.toBeNull();

    const events = await eventsWith(p);
    expect(events.map((e) => [e.transaction_id, e.type, e.sheet, e.amount_micros, e.currency])).toEqual([
      [`${p}-1`, 'REG', 'May', null, null],
      [`${p}-2`, 'FTD', 'May', 25_500_000, 'USD'],
      [`${p}-4`, 'CPA', 'May', 40_000_000, 'EUR'],
    ]);
    expect(await rejectionsWith(p)).toEqual([
      { reason_code: 'unknown_event', method: 'IMPORT', source_slug: SOURCE },
    ]);

    // The event API sees them.
    const api = await t.app.inject({
      method: 'GET',
      url: `/api/v1/events?source=${SOURCE}&brand=impbrand`,
      headers: admin.headers,
    });
    expect(api.statusCode, api.body).toBe(200);
    const listed = api.json().rows as Array<{ id: number; type: string; amount: string | null }>;
    expect(listed.map((r) => [r.id, r.type, r.amount]).sort()).toEqual(
      events.map((e) => [Number(e.id), e.type, e.amount_micros === null ? null : expect.any(String)]).sort(),
    );
    expect(api.json().total).toBe(3);

    const audits = await auditOf('import.run');
    expect(audits).toHaveLength(before + 1);
    const entry = audits.at(-1);
    expect(entry?.actor_user_id).toBe(admin.userId);
    expect(entry?.target_type).toBe('source');
    expect(entry?.target_id).toBe(String(t.sources.get(SOURCE)?.id));
    expect(JSON.parse(entry?.after ?? '{}')).toEqual({
      job: job.id,
      file: 'May.csv',
      source: SOURCE,
      sheet: 'May',
      rows: 4,
      accepted: 3,
      duplicates: 0,
      rejected: 1,
    });
    expect(await leftoverUploads()).toEqual([]);
  });

  it('counts a second import of the same rows as duplicates', async () => {
    const p = unique('dup');
    const csv = [
      'event,brand,transaction_id',
      `ftd,dupbrand,${p}-1`,
      `ftd,dupbrand,${p}-1`,
      `cpa,dupbrand,${p}-2`,
    ].join('\n');
    const first = await runJob(csv);
    expect([first.accepted, first.duplicates]).toEqual([2, 1]);
    const second = await runJob(csv);
    expect([second.state, second.accepted, second.duplicates]).toEqual(['finished', 0, 3]);
    expect(await eventsWith(p)).toHaveLength(2);
  });

  it('imports an XLSX worksheet, numbering errors by sheet row', async () => {
    const p = unique('xl');
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Intro').addRow(['hello']);
    const ws = wb.addWorksheet('Deposits');
    ws.addRow(['event', 'brand', 'amount', 'transaction_id']);
    ws.addRow(['dep', 'xlbrand', 5, `${p}-1`]);
    ws.addRow(['dep', 'xlbrand', 'lots', `${p}-2`]);
    const file = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await upload('jobs', file, { name: 'deps.xlsx', sheet: 'Deposits' });
    expect(res.statusCode, res.body).toBe(202);
    const job = await finished(res.json().job.id);
    expect(job).toMatchObject({
      state: 'finished',
      lineWord: 'row',
      sheet: 'Deposits',
      accepted: 1,
      rejected: 1,
    });
    expect(job.errors.map((e) => e.line)).toEqual([3]);
    expect((await eventsWith(p)).map((e) => e.sheet)).toEqual(['Deposits']);
  });

  it('fails a job whose file the import refuses, storing nothing, and audits the failure', async () => {
    const job = await runJob('event,amount\nftd,1\n', { name: 'nobrand.csv' });
    expect(job.state).toBe('failed');
    expect(job.error).toEqual({
      code: 'unprocessable',
      message: `no brand column in the header (line 1): it needs one of "brand" (source "${SOURCE}")`,
    });
    const failures = await auditOf('import.fail');
    expect(JSON.parse(failures.at(-1)?.after ?? '{}')).toMatchObject({ file: 'nobrand.csv', accepted: 0 });
    expect(await leftoverUploads()).toEqual([]);
  });

  it('answers 404 for an unknown job', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/admin/import/jobs/nope',
      headers: admin.headers,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toMatch(/no import job nope/);
  });
});

describe('all or nothing', () => {
  /** Makes storage refuse the event with this transaction id, inside the import's transaction. */
  async function failInsertOf(transactionId: string): Promise<() => Promise<void>> {
    const db = t.ctx.db.kysely;
    if (t.ctx.db.dialect === 'sqlite') {
      await sql
        .raw(
          `create trigger import_test_fail before insert on events when new.transaction_id = '${transactionId}' ` +
            `begin select raise(abort, 'storage failed for the test'); end`,
        )
        .execute(db);
      return async () => {
        await sql.raw('drop trigger import_test_fail').execute(db);
      };
    }
    await sql
      .raw(
        `create function import_test_fail() returns trigger language plpgsql as $$ begin ` +
          `if new.transaction_id = '${transactionId}' then raise exception 'storage failed for the test'; end if; ` +
          'return new; end $$',
      )
      .execute(db);
    await sql
      .raw(
        'create trigger import_test_fail before insert on events for each row execute function import_test_fail()',
      )
      .execute(db);
    return async () => {
      await sql.raw('drop trigger import_test_fail on events').execute(db);
      await sql.raw('drop function import_test_fail()').execute(db);
    };
  }

  async function rollupTotal(): Promise<number> {
    const row = await t.ctx.db.kysely
      .selectFrom('rollup_hourly')
      .select((eb) => eb.fn.sum<number>('event_count').as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n ?? 0);
  }

  it('stores nothing of the file when storage fails part-way through it', async () => {
    const p = unique('fail');
    const brand = `failbrand${counter}`;
    // 900 rows: the failing one is the 850th, after two multi-row INSERTs of 400 have run.
    const rows = ['event,brand,transaction_id', `nope,${brand},${p}-bad`];
    for (let i = 1; i <= 900; i++) rows.push(`reg,${brand},${p}-${String(i).padStart(4, '0')}`);
    const restore = await failInsertOf(`${p}-0850`);
    const rollupsBefore = await rollupTotal();
    let job: ImportJobView;
    try {
      job = await runJob(rows.join('\n'), { name: 'half.csv' });
    } finally {
      await restore();
    }
    expect(job).toMatchObject({ state: 'failed', rows: 901, accepted: 0, duplicates: 0, rejected: 1 });
    expect(job.error?.code).toBe('unavailable');
    expect(job.error?.message).toMatch(/^import failed while storing, nothing was stored: /);
    // Not one row of the file, not its rejection, not its brand, not a count.
    expect(await eventsWith(p)).toEqual([]);
    expect(await rejectionsWith(p)).toEqual([]);
    const brandRow = await t.ctx.db.kysely
      .selectFrom('brands')
      .select('id')
      .where('slug', '=', brand)
      .executeTakeFirst();
    expect(brandRow).toBeUndefined();
    expect(await rollupTotal()).toBe(rollupsBefore);
    const failure = await auditOf('import.fail');
    expect(JSON.parse(failure.at(-1)?.after ?? '{}')).toMatchObject({
      file: 'half.csv',
      rows: 901,
      accepted: 0,
    });
    expect(await leftoverUploads()).toEqual([]);

    // The same file imports whole once storage works.
    const again = await runJob(rows.join('\n'), { name: 'half.csv' });
    expect(again).toMatchObject({ state: 'finished', accepted: 900, rejected: 1 });
    expect(await eventsWith(p)).toHaveLength(900);
  });

  it('stores nothing when the file turns out too long after some rows', async () => {
    const p = unique('long');
    const jobs = new ImportJobs(t.ctx, { maxRows: 3, maxErrors: 10, keep: 5, onAuditError: () => {} });
    const { saveUpload } = await import('../../src/import/save-upload.js');
    const saved = await saveUpload(
      Readable.from([
        ['event,brand,transaction_id', ...[1, 2, 3, 4, 5].map((i) => `reg,longbrand,${p}-${i}`)].join('\n'),
      ]),
      'long.csv',
      1024,
    );
    const started = await jobs.start(
      saved,
      { kind: 'import', sourceSlug: SOURCE },
      { userId: null, label: 'test', ip: null },
    );
    await jobs.idle();
    const job = jobs.get(started.id);
    expect(job.state).toBe('failed');
    expect(job.error?.message).toBe(
      'the file holds more than 3 rows (line 5 is one too many): split it, or import it with "affpanel import"',
    );
    expect(await eventsWith(p)).toEqual([]);
    expect(await leftoverUploads()).toEqual([]);
  });
});

describe('one job at a time', () => {
  it('refuses a second job while one runs, and deletes its file', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const jobs = new ImportJobs(t.ctx, {
      maxRows: 10,
      maxErrors: 10,
      keep: 5,
      onAuditError: () => {},
      importer: async (...args) => {
        await held;
        const { importFile } = await import('../../src/import/import-file.js');
        return importFile(...args);
      },
    });
    const { saveUpload } = await import('../../src/import/save-upload.js');
    const file = () => saveUpload(Readable.from(['event,brand\nreg,onebrand\n']), 'one.csv', 1024);
    const actor = { userId: null, label: 'test', ip: null };
    const first = await jobs.start(await file(), { kind: 'dry_run', sourceSlug: SOURCE }, actor);
    expect(jobs.current()?.id).toBe(first.id);
    await expect(
      jobs.start(await file(), { kind: 'dry_run', sourceSlug: SOURCE }, actor),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(
        /^an import is already running \(one\.csv into web-import, started by test\)/,
      ),
    });
    expect(await leftoverUploads()).toHaveLength(1);
    release();
    await jobs.idle();
    expect(jobs.get(first.id)).toMatchObject({ state: 'finished', accepted: 1 });
    expect(jobs.current()).toBeNull();
    expect(await leftoverUploads()).toEqual([]);
  });
});
