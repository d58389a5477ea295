/**
 * File import against a real database: CSV and XLSX rows through the postback pipeline, counts,
 * row errors with the right line (file line for CSV, sheet row for XLSX), the `sheet` default,
 * quoted CSV fields, formula-looking text kept verbatim, dry runs storing nothing, files
 * refused before anything is stored, and the all-or-nothing mode of the web import.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import type { EventRow } from '../../src/db/schema.js';
import { AppError } from '../../src/errors.js';
import {
  ImportAbortedError,
  type ImportProgress,
  type ImportSummary,
  importFile,
} from '../../src/import/import-file.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let dir: string;
/** Source with a default currency, generic (canonical) column names. */
const SOURCE = 'import-eur';
let sourceId: number;

beforeAll(async () => {
  t = await createTestApp('import');
  const row = await t.addSource({ slug: SOURCE, template: 'generic', defaultCurrency: 'EUR' });
  sourceId = row.id;
  dir = await mkdtemp(join(tmpdir(), 'affpanel-import-'));
});

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let counter = 0;
/** A transaction id prefix no other test uses. */
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${process.pid}x${counter}`;
}

async function csvFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function eventsWith(prefix: string): Promise<EventRow[]> {
  return t.ctx.db.kysely
    .selectFrom('events')
    .selectAll()
    .where('transaction_id', 'like', `${prefix}%`)
    .orderBy('transaction_id')
    .execute();
}

async function countRows(table: 'events' | 'rejections'): Promise<number> {
  const row = await t.ctx.db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function lines(summary: ImportSummary): Array<[number, string]> {
  return summary.errors.map((e) => [e.line, e.code]);
}

describe('CSV import', () => {
  it('stores good rows, reports bad ones with their file line, and defaults sheet to the file name', async () => {
    const p = unique('csv');
    const path = await csvFile(
      'March FTDs.csv',
      [
        'event,brand,amount,currency,transaction_id,player_id,country',
        `reg,BritSino,,,${p}-1,pl1,gb`,
        `ftd,britsino,12.50,EUR,${p}-2,pl1,GB`,
        `ftd,britsino,12.5.0,EUR,${p}-3,pl2,GB`,
        '',
        `whatever,britsino,,,${p}-4,pl3,`,
        `cpa,britsino,40,,${p}-5,pl1,`,
      ].join('\n'),
    );
    const progress: ImportProgress[] = [];
    const summary = await importFile(t.ctx, path, { sourceSlug: SOURCE }, (p) => progress.push(p));

    expect(summary).toMatchObject({
      file: 'March FTDs.csv',
      format: 'csv',
      sheet: 'March FTDs',
      source: SOURCE,
      dryRun: false,
      interrupted: false,
      rows: 5,
      accepted: 3,
      duplicates: 0,
      rejected: 2,
      ignoredColumns: [],
    });
    expect(summary.errors).toEqual([
      { line: 4, code: 'invalid_amount', reason: expect.any(String) },
      { line: 6, code: 'unknown_event', reason: 'unknown event type "whatever"' },
    ]);
    expect(summary.rejectedByCode).toEqual({ invalid_amount: 1, unknown_event: 1 });
    expect(progress.at(-1)).toEqual({ rows: 5, accepted: 3, duplicates: 0, rejected: 2 });

    const events = await eventsWith(p);
    expect(events.map((e) => [e.transaction_id, e.type, e.sheet, e.source_id])).toEqual([
      [`${p}-1`, 'REG', 'March FTDs', sourceId],
      [`${p}-2`, 'FTD', 'March FTDs', sourceId],
      [`${p}-5`, 'CPA', 'March FTDs', sourceId],
    ]);
    const ftd = events[1];
    expect(ftd?.amount_micros).toBe(12_500_000);
    expect(ftd?.currency).toBe('EUR');
    expect(ftd?.country).toBe('GB');
    expect(ftd?.external_uid).toBe('pl1');
    // The source's default currency fills an amount without one.
    expect(events[2]?.currency).toBe('EUR');
    // The raw body is the row as columns, empty cells left out.
    expect(JSON.parse(events[0]?.raw_body ?? '{}')).toEqual({
      event: 'reg',
      brand: 'BritSino',
      transaction_id: `${p}-1`,
      player_id: 'pl1',
      country: 'gb',
    });

    // Rejected rows are recorded like rejected postbacks, with their reason.
    const rejections = await t.ctx.db.kysely
      .selectFrom('rejections')
      .select(['reason_code', 'method', 'source_slug'])
      .where('raw_body', 'like', `%${p}-%`)
      .orderBy('reason_code')
      .execute();
    expect(rejections).toEqual([
      { reason_code: 'invalid_amount', method: 'IMPORT', source_slug: SOURCE },
      { reason_code: 'unknown_event', method: 'IMPORT', source_slug: SOURCE },
    ]);
  });

  it('counts a second import of the same rows as duplicates', async () => {
    const p = unique('dup');
    const path = await csvFile(
      'dups.csv',
      ['event,brand,transaction_id', `ftd,dupbrand,${p}-1`, `cpa,dupbrand,${p}-2`].join('\n'),
    );
    const first = await importFile(t.ctx, path, { sourceSlug: SOURCE });
    const second = await importFile(t.ctx, path, { sourceSlug: SOURCE });
    expect([first.accepted, first.duplicates]).toEqual([2, 0]);
    expect([second.accepted, second.duplicates, second.rejected]).toEqual([0, 2, 0]);
    expect(await eventsWith(p)).toHaveLength(2);
  });

  it('finds on a dry run the duplicates an import would: stored ones and repeats in the file', async () => {
    const p = unique('dry-dup');
    const stored = await csvFile(
      'stored.csv',
      ['event,brand,transaction_id', `ftd,drydup,${p}-1`].join('\n'),
    );
    expect((await importFile(t.ctx, stored, { sourceSlug: SOURCE })).accepted).toBe(1);
    const path = await csvFile(
      'again.csv',
      [
        'event,brand,transaction_id',
        `ftd,drydup,${p}-1`, // stored above
        `ftd,drydup,${p}-2`,
        `ftd,drydup,${p}-2`, // the row before, again
        `cpa,drydup,${p}-3`,
      ].join('\n'),
    );
    const dry = await importFile(t.ctx, path, { sourceSlug: SOURCE, dryRun: true });
    expect([dry.accepted, dry.duplicates, dry.rejected]).toEqual([2, 2, 0]);
    expect(await eventsWith(p)).toHaveLength(1);
    const real = await importFile(t.ctx, path, { sourceSlug: SOURCE });
    expect([real.accepted, real.duplicates, real.rejected]).toEqual([dry.accepted, dry.duplicates, 0]);
  });

  it('reads quoted fields holding commas, quotes and line breaks, and keeps line numbers right after them', async () => {
    const p = unique('quoted');
    const path = await csvFile(
      'quoted.csv',
      [
        'event,brand,transaction_id,tracking_tag,sub_id',
        `ftd,qbrand,${p}-1,"tag, with comma","say ""hi"""`,
        `bad,qbrand,${p}-2,"two`,
        'line tag",x',
        `ftd,qbrand,${p}-3,"three`,
        '',
        'lines",y',
        `nope,qbrand,${p}-4,,`,
        `dep,qbrand,${p}-5,,`,
      ].join('\r\n'),
    );
    const summary = await importFile(t.ctx, path, { sourceSlug: SOURCE });
    expect(summary).toMatchObject({ rows: 5, accepted: 3, rejected: 2 });
    // A row's line is the one it starts on; a row after multi-line fields is counted right.
    expect(lines(summary)).toEqual([
      [3, 'unknown_event'],
      [8, 'unknown_event'],
    ]);
    const events = await eventsWith(p);
    expect(events.map((e) => [e.tracking_tag, e.sub_id])).toEqual([
      ['tag, with comma', 'say "hi"'],
      ['three\r\n\r\nlines', 'y'],
      [null, null],
    ]);
  });

  it('stores formula-looking cells verbatim', async () => {
    const p = unique('formula');
    const path = await csvFile(
      'formulas.csv',
      [
        'event,brand,transaction_id,tracking_tag,sub_id,affiliate_id,traffic_source',
        `reg,fbrand,${p}-1,"=HYPERLINK(""http://x"",""y"")",+1+2,-3,@SUM(A1)`,
        `reg,fbrand,${p}-2,=1+1,'=2,=cmd|' /C calc'!A0,`,
      ].join('\n'),
    );
    const summary = await importFile(t.ctx, path, { sourceSlug: SOURCE });
    expect(summary).toMatchObject({ rows: 2, accepted: 2, rejected: 0 });
    const events = await eventsWith(p);
    expect(events.map((e) => [e.tracking_tag, e.sub_id, e.affiliate_id, e.traffic_source])).toEqual([
      ['=HYPERLINK("http://x","y")', '+1+2', '-3', '@SUM(A1)'],
      ['=1+1', "'=2", "=cmd|' /C calc'!A0", null],
    ]);
  });

  it('maps the column names of the source template and lists the columns it ignores', async () => {
    const p = unique('cx');
    const path = await csvFile(
      'cellxpert.csv',
      [
        'Event,Brand,AffiliateID,afp,trackingcode,userid,depositid,commissionamount,currency,isocountry,Notes',
        `purchase,cxbrand,aff-7,click-1,tag-1,u-1,${p}-1,100,USD,de,first one`,
      ].join('\n'),
    );
    const summary = await importFile(t.ctx, path, { sourceSlug: 'cellxpert' });
    expect(summary).toMatchObject({ rows: 1, accepted: 1, rejected: 0, ignoredColumns: ['Notes'] });
    const [event] = await eventsWith(p);
    expect(event).toMatchObject({
      type: 'FTD',
      raw_event: 'purchase',
      affiliate_id: 'aff-7',
      sub_id: 'click-1',
      tracking_tag: 'tag-1',
      external_uid: 'u-1',
      amount_micros: 100_000_000,
      currency: 'USD',
      country: 'DE',
      sheet: 'cellxpert',
    });
  });

  it('takes the delimiter from the header line and skips a UTF-8 BOM; a sheet column wins over the default', async () => {
    const p = unique('semi');
    const path = await csvFile(
      'semicolons.csv',
      [
        '\uFEFFevent;brand;amount;transaction_id;sheet',
        `ftd;sbrand;1.5;${p}-1;`,
        `ftd;sbrand;2;${p}-2;Own`,
      ].join('\n'),
    );
    const summary = await importFile(t.ctx, path, { sourceSlug: SOURCE, sheet: 'Given' });
    expect(summary).toMatchObject({ rows: 2, accepted: 2, sheet: 'Given' });
    const events = await eventsWith(p);
    expect(events.map((e) => [e.amount_micros, e.sheet])).toEqual([
      [1_500_000, 'Given'],
      [2_000_000, 'Own'],
    ]);
  });

  it('refuses a row with values right of the header and one that is not UTF-8, keeping the rest', async () => {
    const p = unique('width');
    const latin1 = Buffer.from(`ftd,wbrand,${p}-3,caf\xe9\n`, 'latin1');
    const path = join(dir, 'width.csv');
    await writeFile(
      path,
      Buffer.concat([
        Buffer.from(
          [
            'event,brand,transaction_id,tracking_tag',
            `ftd,wbrand,${p}-1,a,b`,
            `ftd,wbrand,${p}-2,,,`,
            '',
          ].join('\n'),
        ),
        latin1,
        Buffer.from(`ftd,wbrand,${p}-4,ok\n`),
      ]),
    );
    const summary = await importFile(t.ctx, path, { sourceSlug: SOURCE });
    expect(summary).toMatchObject({ rows: 4, accepted: 2, rejected: 2 });
    expect(lines(summary)).toEqual([
      [2, 'unparsable_row'],
      [4, 'invalid_encoding'],
    ]);
    expect((await eventsWith(p)).map((e) => e.transaction_id)).toEqual([`${p}-2`, `${p}-4`]);
  });

  it('reports a quote that is never closed at the line it opens on, after storing the rows before it', async () => {
    const p = unique('open');
    const path = await csvFile(
      'open-quote.csv',
      [
        'event,brand,transaction_id,tracking_tag',
        `ftd,obrand,${p}-1,x`,
        `ftd,obrand,${p}-2,"never closed`,
        `ftd,obrand,${p}-3,y`,
      ].join('\n'),
    );
    const summary = await importFile(t.ctx, path, { sourceSlug: SOURCE });
    expect(summary).toMatchObject({ rows: 2, accepted: 1, rejected: 1 });
    expect(summary.errors).toEqual([
      { line: 3, code: 'unparsable_row', reason: expect.stringContaining('never closed') },
    ]);
    expect((await eventsWith(p)).map((e) => e.transaction_id)).toEqual([`${p}-1`]);
  });

  it('imports many rows in concurrent chunks, counting lines across read chunks, and keeps the first errors', async () => {
    const p = unique('bulk');
    // CRLF lines, a two-line quoted field every 7th row and a long column: several 64 KiB read chunks.
    const rows = ['event,brand,transaction_id,amount,tracking_tag,notes'];
    const badLines: number[] = [];
    let line = 2;
    for (let i = 1; i <= 1200; i++) {
      const bad = i % 100 === 0;
      if (bad) badLines.push(line);
      const tag = i % 7 === 0 ? '"first\r\nsecond"' : 'tag';
      rows.push(
        `dep,bulkbrand,${p}-${String(i).padStart(5, '0')},${bad ? 'bad' : '1'},${tag},${'n'.repeat(150)}`,
      );
      line += i % 7 === 0 ? 2 : 1;
    }
    const path = await csvFile('bulk.csv', rows.join('\r\n'));
    const summary = await importFile(t.ctx, path, { sourceSlug: SOURCE, chunkSize: 250, maxErrors: 5 });
    expect(summary).toMatchObject({ rows: 1200, accepted: 1188, rejected: 12, ignoredColumns: ['notes'] });
    expect(summary.errors.map((e) => e.line)).toEqual(badLines.slice(0, 5));
    expect(await eventsWith(p)).toHaveLength(1188);
  });

  it('reads event times, and counts rows whose time could not be read (they get the import time)', async () => {
    const p = unique('time');
    const path = await csvFile(
      'times.csv',
      [
        'event,brand,transaction_id,timestamp',
        `reg,tbrand,${p}-1,2024-05-01T12:00:00Z`,
        `reg,tbrand,${p}-2,1714564800`,
        `reg,tbrand,${p}-3,05/01/2024 12:00`,
        `reg,tbrand,${p}-4,`,
        `reg,tbrand,${p}-5,31.12.2023`,
      ].join('\n'),
    );
    const started = Date.now();
    const summary = await importFile(t.ctx, path, { sourceSlug: SOURCE });
    expect(summary).toMatchObject({ rows: 5, accepted: 5, timeFallbacks: { rows: 2, firstLine: 4 } });
    const events = await eventsWith(p);
    const may1 = Date.UTC(2024, 4, 1, 12);
    expect(events.map((e) => e.occurred_at === may1)).toEqual([true, true, false, false, false]);
    for (const e of events.slice(2)) expect(e.occurred_at).toBeGreaterThanOrEqual(started);
  });

  it('checks every row on a dry run and stores nothing', async () => {
    const p = unique('dry');
    const path = await csvFile(
      'dry.csv',
      [
        'event,brand,amount,transaction_id',
        `ftd,drybrand,10,${p}-1`,
        `ftd,drybrand,-1,${p}-2`,
        `zzz,drybrand,,${p}-3`,
      ].join('\n'),
    );
    const before = [await countRows('events'), await countRows('rejections')];
    const summary = await importFile(t.ctx, path, { sourceSlug: SOURCE, dryRun: true });
    expect(summary).toMatchObject({ dryRun: true, rows: 3, accepted: 1, duplicates: 0, rejected: 2 });
    expect(lines(summary)).toEqual([
      [3, 'invalid_amount'],
      [4, 'unknown_event'],
    ]);
    expect([await countRows('events'), await countRows('rejections')]).toEqual(before);
    const brand = await t.ctx.db.kysely
      .selectFrom('brands')
      .select('id')
      .where('slug', '=', 'drybrand')
      .executeTakeFirst();
    expect(brand).toBeUndefined();
  });
});

describe('files refused before anything is stored', () => {
  async function refusal(run: () => Promise<unknown>): Promise<AppError> {
    const before = [await countRows('events'), await countRows('rejections')];
    const error = await run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect([await countRows('events'), await countRows('rejections')]).toEqual(before);
    return error as AppError;
  }

  it('a header without a brand or event column', async () => {
    const noBrand = await csvFile('nobrand.csv', 'event,amount\nftd,1\n');
    const e1 = await refusal(() => importFile(t.ctx, noBrand, { sourceSlug: SOURCE }));
    expect(e1.code).toBe('unprocessable');
    expect(e1.message).toBe(
      'no brand column in the header (line 1): it needs one of "brand" (source "import-eur")',
    );

    const noEvent = await csvFile('noevent.csv', 'brand,amount\nb,1\n');
    const e2 = await refusal(() => importFile(t.ctx, noEvent, { sourceSlug: SOURCE }));
    expect(e2.message).toMatch(
      /^no event type column in the header \(line 1\): it needs one of "event", "type", "event_type"/,
    );
  });

  it('a header naming a column twice, an empty file', async () => {
    const twice = await csvFile('twice.csv', 'event,brand,Brand\nftd,a,b\n');
    expect((await refusal(() => importFile(t.ctx, twice, { sourceSlug: SOURCE }))).message).toMatch(/twice/);
    const empty = await csvFile('empty.csv', '\n\n');
    expect((await refusal(() => importFile(t.ctx, empty, { sourceSlug: SOURCE }))).message).toMatch(/empty/);
  });

  it('an unknown source, a missing file, an unsupported extension', async () => {
    const good = await csvFile('good.csv', 'event,brand\nftd,a\n');
    const unknown = await refusal(() => importFile(t.ctx, good, { sourceSlug: 'no-such-source' }));
    expect(unknown.code).toBe('not_found');
    expect(unknown.message).toMatch(/unknown source "no-such-source" \(known sources: .*cellxpert/);

    const missing = await refusal(() => importFile(t.ctx, join(dir, 'missing.csv'), { sourceSlug: SOURCE }));
    expect(missing.code).toBe('not_found');

    const txt = await csvFile('events.txt', 'event,brand\nftd,a\n');
    const wrongType = await refusal(() => importFile(t.ctx, txt, { sourceSlug: SOURCE }));
    expect(wrongType.code).toBe('bad_request');
    expect(wrongType.message).toMatch(/only \.csv and \.xlsx/);
  });

  it('a file that is not really XLSX', async () => {
    const fake = await csvFile('fake.xlsx', 'event,brand\nftd,a\n');
    const error = await refusal(() => importFile(t.ctx, fake, { sourceSlug: SOURCE }));
    expect(error.code).toBe('unprocessable');
    expect(error.message).toMatch(/cannot read the XLSX file/);
  });
});

describe('stopping part-way', () => {
  it('stops after the chunk in flight when the signal fires, keeping what was stored', async () => {
    const p = unique('stop');
    const rows = ['event,brand,transaction_id'];
    for (let i = 1; i <= 50; i++) rows.push(`reg,stopbrand,${p}-${String(i).padStart(3, '0')}`);
    const path = await csvFile('stop.csv', rows.join('\n'));
    const controller = new AbortController();
    const summary = await importFile(
      t.ctx,
      path,
      { sourceSlug: SOURCE, chunkSize: 10, signal: controller.signal },
      (progress) => {
        if (progress.rows >= 20) controller.abort();
      },
    );
    expect(summary).toMatchObject({ interrupted: true, rows: 20, accepted: 20, lastLine: 21 });
    expect(await eventsWith(p)).toHaveLength(20);
  });

  it('reports how far it got when storage fails', async () => {
    const ctx = await createContext(t.config);
    try {
      await ctx.ingestor.close(); // every write is now refused, as when storage is gone
      const path = await csvFile(
        'nostorage.csv',
        'event,brand,transaction_id\nreg,nsbrand,ns-1\nreg,nsbrand,ns-2\n',
      );
      const error = await importFile(ctx, path, { sourceSlug: SOURCE }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImportAbortedError);
      const aborted = error as ImportAbortedError;
      expect(aborted.code).toBe('unavailable');
      expect(aborted.message).toMatch(/^import stopped near line 2: /);
      expect(aborted.summary).toMatchObject({ rows: 0, accepted: 0, rejected: 0 });
    } finally {
      await ctx.close();
    }
  });
});

describe('all or nothing (the web import)', () => {
  it('stores every row in one go once the file has been read, with the same counts as streaming', async () => {
    const p = unique('aon');
    const path = await csvFile(
      'aon.csv',
      [
        'event,brand,amount,transaction_id,timestamp',
        `reg,aonbrand,,${p}-1,2024-05-01T12:00:00Z`,
        `ftd,aonbrand,5,${p}-2,yesterday`,
        `zzz,aonbrand,,${p}-3,`,
        `ftd,aonbrand,5,${p}-2,`,
      ].join('\n'),
    );
    let storing: number | null = null;
    const summary = await importFile(t.ctx, path, {
      sourceSlug: SOURCE,
      allOrNothing: true,
      chunkSize: 2,
      onStore: (rows) => {
        storing = rows;
      },
    });
    // Three valid rows go into the one transaction; the last is a duplicate of the second.
    expect(storing).toBe(3);
    expect(summary).toMatchObject({
      rows: 4,
      accepted: 2,
      duplicates: 1,
      rejected: 1,
      timeFallbacks: { rows: 1, firstLine: 3 },
      brands: ['aonbrand'],
    });
    expect(summary.occurred?.from).toBe('2024-05-01T12:00:00.000Z');
    expect(lines(summary)).toEqual([[4, 'unknown_event']]);
    expect((await eventsWith(p)).map((e) => e.transaction_id)).toEqual([`${p}-1`, `${p}-2`]);
    const rejected = await t.ctx.db.kysely
      .selectFrom('rejections')
      .select('reason_code')
      .where('raw_body', 'like', `%${p}-3%`)
      .execute();
    expect(rejected).toEqual([{ reason_code: 'unknown_event' }]);
  });

  it('stores nothing, not even rejections, when stopped before the end of the file', async () => {
    const p = unique('aonstop');
    const rows = ['event,brand,transaction_id', `bad,aonstop,${p}-000`];
    for (let i = 1; i <= 40; i++) rows.push(`reg,aonstop,${p}-${String(i).padStart(3, '0')}`);
    const path = await csvFile('aon-stop.csv', rows.join('\n'));
    const controller = new AbortController();
    const summary = await importFile(
      t.ctx,
      path,
      { sourceSlug: SOURCE, allOrNothing: true, chunkSize: 10, signal: controller.signal },
      (progress) => {
        if (progress.rows >= 20) controller.abort();
      },
    );
    expect(summary).toMatchObject({ interrupted: true, accepted: 0, duplicates: 0 });
    expect(await eventsWith(p)).toEqual([]);
    const rejected = await t.ctx.db.kysely
      .selectFrom('rejections')
      .select('id')
      .where('raw_body', 'like', `%${p}-000%`)
      .execute();
    expect(rejected).toEqual([]);
  });

  it('stores nothing when the file holds more rows than allowed, however late the limit is met', async () => {
    const p = unique('aonmax');
    const rows = ['event,brand,transaction_id'];
    for (let i = 1; i <= 30; i++) rows.push(`reg,aonmax,${p}-${String(i).padStart(3, '0')}`);
    const path = await csvFile('aon-max.csv', rows.join('\n'));
    const error = await importFile(t.ctx, path, {
      sourceSlug: SOURCE,
      allOrNothing: true,
      chunkSize: 5,
      maxRows: 29,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe(
      'the file holds more than 29 rows (line 31 is one too many): split it, or import it with "affpanel import"',
    );
    expect(await eventsWith(p)).toEqual([]);
  });
});

describe('XLSX import', () => {
  async function workbook(name: string, build: (wb: ExcelJS.Workbook) => void): Promise<string> {
    const wb = new ExcelJS.Workbook();
    build(wb);
    const path = join(dir, name);
    await wb.xlsx.writeFile(path);
    return path;
  }

  it('reads the first worksheet by default and records its name as the sheet', async () => {
    const p = unique('xfirst');
    const path = await workbook('report.xlsx', (wb) => {
      const ws = wb.addWorksheet('Registrations');
      ws.addRow(['event', 'brand', 'transaction_id']);
      ws.addRow(['reg', 'xbrand', `${p}-1`]);
      wb.addWorksheet('Other').addRow(['event', 'brand', 'transaction_id']);
    });
    const summary = await importFile(t.ctx, path, { sourceSlug: SOURCE });
    expect(summary).toMatchObject({ format: 'xlsx', sheet: 'Registrations', rows: 1, accepted: 1 });
    expect((await eventsWith(p)).map((e) => e.sheet)).toEqual(['Registrations']);
  });

  it('reads the worksheet named by sheet, with numbers, dates, formulas and row numbers for errors', async () => {
    const p = unique('xsheet');
    const occurred = new Date(Date.UTC(2024, 2, 5, 14, 30, 0));
    const path = await workbook('deals.xlsx', (wb) => {
      wb.addWorksheet('Summary').addRow(['not', 'events']);
      const ws = wb.addWorksheet('FTD March');
      ws.addRow(['Event', 'Brand', 'Amount', 'Currency', 'Transaction_ID', 'Occurred_At', 'Tracking_Tag']);
      ws.addRow(['ftd', 'xbrand', 12.5, 'EUR', `${p}-1`, occurred, '=1+2']);
      ws.addRow(['ftd', 'xbrand', null, 'EUR', `${p}-2`, null, '@tag']);
      ws.getCell('C3').value = { formula: 'C2*2', result: 25 };
      ws.addRow(['cpa', 'xbrand', 0.1 + 0.2, 'USD', `${p}-3`]);
      ws.addRow([]);
      ws.addRow(['ftd', 'xbrand', null, 'EUR', `${p}-4`]);
      ws.getCell('C6').value = { error: '#N/A' };
      ws.addRow(['ftd', 'xbrand', 'lots', 'EUR', `${p}-5`]);
      ws.addRow(['ftd', 'xbrand', 3, 'EUR', `${p}-6`, null, null, 'a note right of the header']);
    });
    const summary = await importFile(t.ctx, path, { sourceSlug: SOURCE, sheet: 'FTD March' });
    expect(summary).toMatchObject({ sheet: 'FTD March', rows: 6, accepted: 4, rejected: 2 });
    expect(summary.errors).toEqual([
      { line: 6, code: 'unparsable_row', reason: 'column "Amount" holds the error #N/A' },
      { line: 7, code: 'invalid_amount', reason: expect.any(String) },
    ]);
    const events = await eventsWith(p);
    expect(
      events.map((e) => [e.transaction_id, e.amount_micros, e.currency, e.tracking_tag, e.sheet]),
    ).toEqual([
      [`${p}-1`, 12_500_000, 'EUR', '=1+2', 'FTD March'],
      [`${p}-2`, 25_000_000, 'EUR', '@tag', 'FTD March'],
      [`${p}-3`, 300_000, 'USD', null, 'FTD March'],
      [`${p}-6`, 3_000_000, 'EUR', null, 'FTD March'],
    ]);
    expect(events[0]?.occurred_at).toBe(occurred.getTime());
  });

  it('names the worksheets when the one asked for is missing', async () => {
    const path = await workbook('two.xlsx', (wb) => {
      wb.addWorksheet('Alpha').addRow(['event', 'brand']);
      wb.addWorksheet('Beta').addRow(['event', 'brand']);
    });
    const error = await importFile(t.ctx, path, { sourceSlug: SOURCE, sheet: 'Gamma' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe('no worksheet "Gamma" in the workbook (it has "Alpha", "Beta")');
  });

  it('reads any worksheet of a workbook stored in exceljs order, leaving no temporary files', async () => {
    const p = unique('xlater');
    const names = ['One', 'Two', 'Three', 'Four', 'Five'];
    const path = await workbook('many.xlsx', (wb) => {
      for (const name of names) {
        const ws = wb.addWorksheet(name);
        ws.addRow(['event', 'brand', 'transaction_id']);
        for (let i = 0; i < 50; i += 1) ws.addRow(['reg', 'xbrand', `${p}-${name}-${i}`]);
      }
    });
    const parked = async (): Promise<string[]> =>
      (await readdir(tmpdir())).filter((f) => f.startsWith(`tmp-${process.pid}-`));
    const before = await parked();
    for (const sheet of ['Four', 'One', 'Five', 'Two']) {
      const summary = await importFile(t.ctx, path, { sourceSlug: SOURCE, sheet, dryRun: true });
      expect(summary).toMatchObject({ sheet, rows: 50, accepted: 50 });
    }
    await expect(importFile(t.ctx, path, { sourceSlug: SOURCE, sheet: 'Six' })).rejects.toThrow(
      'no worksheet "Six"',
    );
    // Give a stray file open (the failure this guards against) the time to surface.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await parked()).toEqual(before);
  });

  it('finds the worksheet ignoring case and checks it on a dry run', async () => {
    const p = unique('xdry');
    const path = await workbook('dry.xlsx', (wb) => {
      const ws = wb.addWorksheet('Leads');
      ws.addRow(['event', 'brand', 'transaction_id']);
      ws.addRow(['lead', 'xbrand', `${p}-1`]);
      ws.addRow(['nope', 'xbrand', `${p}-2`]);
    });
    const summary = await importFile(t.ctx, path, { sourceSlug: SOURCE, sheet: 'leads', dryRun: true });
    expect(summary).toMatchObject({ sheet: 'Leads', rows: 2, accepted: 1, rejected: 1 });
    expect(lines(summary)).toEqual([[3, 'unknown_event']]);
    expect(await eventsWith(p)).toHaveLength(0);
  });
});
