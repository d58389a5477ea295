/**
 * The events export, byte for byte: every test recomputes the expected file from the stored rows
 * another way (sort in JS, Date#toISOString, one Intl call per local time, csv-stringify) and
 * compares the whole body. Covers quoting, formula injection, UTC and local columns (a mid-hour DST
 * jump), the row limit and its setting, every filter, XLSX, and chunk edges inside runs of events
 * with the same occurred_at.
 */
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EVENT_EXPORT_HEADER,
  EXPORT_CHUNK_ROWS,
  exportEventRows,
} from '../../src/analytics/export-events.js';
import { analyticsClock, startOfDay } from '../../src/analytics/periods.js';
import type { EventsTable } from '../../src/db/schema.js';
import { formatMicros } from '../../src/ingest/normalise/amount.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
const realNow = analyticsClock.now;
const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const DAY = 86_400_000;
const get = (url: string) =>
  t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.apiToken}` } });

type Stored = EventsTable;
const stored: Stored[] = [];
const brandSlug = new Map<number, string>();
const sourceSlug = new Map<number, string>();
/** A source (seeded built-in) whose slug or name we filter on. */
let cellxpert = 0;
let other = 0;

function event(id: number, occurredAt: number, o: Partial<Stored> = {}): Stored {
  return {
    id,
    received_at: occurredAt + 1234,
    occurred_at: occurredAt,
    type: 'REG',
    raw_event: 'reg',
    brand_id: 1,
    source_id: cellxpert,
    affiliate_id: '7',
    sub_id: null,
    external_uid: null,
    transaction_id: null,
    tracking_tag: null,
    traffic_source: null,
    country: null,
    amount_micros: null,
    currency: null,
    is_test: 0,
    sender: null,
    sheet: null,
    broken_fields: null,
    broken_macro: null,
    dedup_key: `e${id}`,
    raw_query: `id=${id}`,
    raw_body: null,
    ip: null,
    ...o,
  };
}

// ---- the oracle ---------------------------------------------------------------------------------

interface Want {
  from?: number;
  to?: number;
  brands?: number[];
  types?: string[];
  test?: number[];
  sources?: number[];
  tag?: string;
  limit?: number;
  tz?: string;
}

function localRef(timeZone: string): (t: number) => string {
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return (ms) => {
    const p = Object.fromEntries(fmt.formatToParts(ms).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  };
}

type Value = string | number | null;

function expectedRows(w: Want): Value[][] {
  const from = w.from ?? startOfDay(NOW) - 365 * DAY;
  const to = w.to ?? startOfDay(NOW) + 2 * DAY;
  const local = localRef(w.tz ?? 'UTC');
  return stored
    .filter(
      (e) =>
        e.occurred_at >= from &&
        e.occurred_at < to &&
        (w.test ?? [0, 1]).includes(e.is_test) &&
        (!w.brands || w.brands.includes(e.brand_id)) &&
        (!w.types || w.types.includes(e.type)) &&
        (!w.sources || w.sources.includes(e.source_id)) &&
        (!w.tag || (e.tracking_tag ?? '').toLowerCase().includes(w.tag.toLowerCase())),
    )
    .sort((a, b) => b.occurred_at - a.occurred_at || b.id - a.id)
    .slice(0, w.limit ?? Number.POSITIVE_INFINITY)
    .map((e) => [
      e.id,
      new Date(e.occurred_at).toISOString(),
      local(e.occurred_at),
      new Date(e.received_at).toISOString(),
      e.type,
      brandSlug.get(e.brand_id) ?? null,
      sourceSlug.get(e.source_id) ?? null,
      e.affiliate_id,
      e.sub_id,
      e.tracking_tag,
      e.amount_micros === null ? null : formatMicros(BigInt(e.amount_micros)),
      e.currency,
      e.country,
      e.is_test,
      e.broken_macro,
      e.raw_event,
      e.external_uid,
      e.transaction_id,
      e.traffic_source,
      e.sender,
      e.sheet,
    ]);
}

/** OWASP rule, written out again here: = + - @ tab CR at the start of text get an apostrophe. */
const defused = (v: Value): Value => (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

function expectedCsv(w: Want): string {
  return stringify([EVENT_EXPORT_HEADER, ...expectedRows(w).map((r) => r.map(defused))]);
}

function sourcesMatching(text: string): number[] {
  return [...t.sources.values()]
    .filter((s) => s.slug.toLowerCase().includes(text) || s.name.toLowerCase().includes(text))
    .map((s) => Number(s.id));
}

// ---- data -----------------------------------------------------------------------------------------

/** Newfoundland springs forward at 05:30 UTC, in the middle of a UTC hour. */
const ST_JOHNS_JUMP = Date.UTC(2026, 2, 8, 5, 30);
const BULK = 5016;
const SHUFFLE = [3, 0, 5, 1, 4, 2];

beforeAll(async () => {
  analyticsClock.now = () => NOW;
  t = await createTestApp('events-export');
  const db = t.ctx.db.kysely;
  for (const slug of ['alpha', 'beta']) {
    const row = await db
      .insertInto('brands')
      .values({ slug, name: slug.toUpperCase(), is_blocked: 0, alias_of: null, created_at: NOW })
      .returning('id')
      .executeTakeFirstOrThrow();
    brandSlug.set(Number(row.id), slug);
  }
  const [alpha, beta] = [...brandSlug.keys()] as [number, number];
  for (const s of t.sources.values()) sourceSlug.set(Number(s.id), s.slug);
  cellxpert = Number(t.sources.get('cellxpert')?.id);
  other = [...sourceSlug.keys()].find((id) => id !== cellxpert) ?? 0;

  const base = Date.UTC(2026, 4, 20, 10, 0, 0);
  let id = 1;
  const special: Partial<Stored>[] = [
    { tracking_tag: 'a,b', type: 'FTD', amount_micros: 10_500_000, currency: 'EUR', country: 'ES' },
    { tracking_tag: 'say "hi"', sub_id: 'x"y', amount_micros: 1, currency: 'USD' },
    { tracking_tag: 'line\nbreak', affiliate_id: 'cr\rlf\r\n', type: 'CPA', amount_micros: 123_000_000 },
    { tracking_tag: 'naïve café 💶 Ünïcode', country: 'DE', brand_id: beta },
    { tracking_tag: "=cmd|' /C calc'!A0", brand_id: beta, is_test: 1 },
    { tracking_tag: '+1', sub_id: '-2', affiliate_id: '@SUM(A1)', type: 'DEP', amount_micros: 0 },
    { tracking_tag: '\tTAB', broken_macro: '{clickid}', source_id: other, is_test: 1 },
    { tracking_tag: 'WA_Promo,"Q1"\n=1', source_id: other, type: 'FTD', amount_micros: 999_999 },
    { tracking_tag: '', sub_id: '', affiliate_id: null },
  ];
  for (const [i, o] of special.entries())
    stored.push(event(id++, base + 3_600_000 - i * 61_001, { brand_id: alpha, ...o }));
  // Both sides of Newfoundland's jump, and one outside the default range (a year before NOW).
  stored.push(event(id++, ST_JOHNS_JUMP - 500, { tracking_tag: 'before jump' }));
  stored.push(event(id++, ST_JOHNS_JUMP + 250, { tracking_tag: 'after jump' }));
  stored.push(event(id++, NOW - 400 * DAY, { tracking_tag: 'too old' }));
  // Many events, six to a millisecond, so export chunks end inside runs of equal times.
  // Ids are not in time order within a run, as after an import.
  for (let i = 0; i < BULK; i++) {
    const run = Math.floor(i / 6);
    stored.push(
      event(id + run * 6 + (SHUFFLE[i % 6] ?? 0), base - run * 997, {
        brand_id: i % 5 === 0 ? beta : alpha,
        source_id: i % 3 === 0 ? other : cellxpert,
        type: ['CLICK', 'REG', 'FTD', 'DEP', 'REDEP', 'CPA'][i % 6] ?? 'REG',
        is_test: i % 11 === 0 ? 1 : 0,
        tracking_tag: i % 4 === 0 ? `WA_${i}` : `fb-${i}`,
        amount_micros: i % 2 === 0 ? i * 1_000_001 : null,
        currency: i % 2 === 0 ? 'EUR' : null,
        raw_event: i % 2 === 0 ? 'Deposit' : 'signup',
        external_uid: `player-${i % 97}`,
        transaction_id: i % 3 === 0 ? null : `tx-${i}`,
        traffic_source: i % 7 === 0 ? 'push' : null,
        sender: i % 13 === 0 ? '=bot' : null,
        sheet: i % 13 === 0 ? 'March' : null,
      }),
    );
  }
  const ids = new Set(stored.map((e) => e.id));
  expect(ids.size).toBe(stored.length);
  for (let i = 0; i < stored.length; i += 400)
    await db
      .insertInto('events')
      .values(stored.slice(i, i + 400))
      .execute();
});

afterAll(async () => {
  analyticsClock.now = realNow;
  await t?.close();
});

describe('events export', () => {
  it('writes the whole default range exactly: header, order, quoting, formulas, UTC times', async () => {
    const res = await get('/api/v1/events/export?format=csv');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['x-row-limit']).toBe('1000000');
    expect(res.body).toBe(expectedCsv({}));
    // Some export chunk ends inside a run of equal times (the cursor must use the id too).
    const rows = expectedRows({});
    const edges = [];
    for (let n = EXPORT_CHUNK_ROWS; n < rows.length; n += EXPORT_CHUNK_ROWS) edges.push(n);
    expect(edges.some((n) => rows[n - 1]?.[1] === rows[n]?.[1])).toBe(true);
    expect(res.body.split('\n')[0]).toBe(EVENT_EXPORT_HEADER.join(','));
    expect(res.body).toContain(`,'=cmd|' /C calc'!A0,`);
    expect(res.body).toContain('"line\nbreak"');
    expect(res.body).not.toContain('too old');
  });

  it('gives local times in the requested zone, through a mid-hour DST jump', async () => {
    const res = await get(
      '/api/v1/events/export?tz=America/St_Johns&from=2026-03-08T05:00:00Z&to=2026-03-08T06:00:00Z',
    );
    expect(res.statusCode, res.body).toBe(200);
    const w = { tz: 'America/St_Johns', from: ST_JOHNS_JUMP - 1_800_000, to: ST_JOHNS_JUMP + 1_800_000 };
    expect(res.body).toBe(expectedCsv(w));
    const lines = res.body.trim().split('\n').slice(1);
    expect(lines.map((l) => l.split(',').slice(1, 3))).toEqual([
      ['2026-03-08T05:30:00.250Z', '2026-03-08 03:00:00'],
      ['2026-03-08T05:29:59.500Z', '2026-03-08 01:59:59'],
    ]);
    const tokyo = await get('/api/v1/events/export?tz=Asia/Kathmandu');
    expect(tokyo.body).toBe(expectedCsv({ tz: 'Asia/Kathmandu' }));
  });

  it.each([
    ['brand=beta', () => ({ brands: [...brandSlug].filter(([, s]) => s === 'beta').map(([id]) => id) })],
    ['type=FTD,CPA', () => ({ types: ['FTD', 'CPA'] })],
    ['test=production', () => ({ test: [0] })],
    ['test=test', () => ({ test: [1] })],
    ['source=CellX', () => ({ sources: sourcesMatching('cellx') })],
    ['tag=wa_', () => ({ tag: 'wa_' })],
    ['tag=%22', () => ({ tag: '"' })],
    ['from=2026-05-20&to=2026-05-20', () => ({ from: Date.UTC(2026, 4, 20), to: Date.UTC(2026, 4, 21) })],
    // A From alone further back than 400 days reads the 400 days from it (the oldest event is in).
    ['from=2025-03-01', () => ({ from: Date.UTC(2025, 2, 1), to: Date.UTC(2025, 2, 1) + 400 * DAY })],
    [
      'brand=alpha&type=FTD&test=production&tag=fb',
      () => ({
        brands: [...brandSlug].filter(([, s]) => s === 'alpha').map(([id]) => id),
        types: ['FTD'],
        test: [0],
        tag: 'fb',
      }),
    ],
  ] as const)('applies the filter %s', async (q, want) => {
    const res = await get(`/api/v1/events/export?${q}`);
    expect(res.statusCode, res.body).toBe(200);
    const expected = expectedCsv(want());
    expect(expected.split('\n').length).toBeGreaterThan(2);
    expect(res.body).toBe(expected);
  });

  it('refuses a From and To more than 400 days apart, naming from', async () => {
    const res = await get('/api/v1/events/export?from=2025-03-01&to=2026-05-01');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { field: 'from' } });
  });

  it('answers with the header only when nothing matches', async () => {
    const res = await get('/api/v1/events/export?tag=no-such-tag');
    expect(res.body).toBe(`${EVENT_EXPORT_HEADER.join(',')}\n`);
  });

  it('stops at the requested limit and at the row-limit setting, whichever is smaller', async () => {
    for (const limit of [1, 7, EXPORT_CHUNK_ROWS, EXPORT_CHUNK_ROWS + 1, 5001])
      expect((await get(`/api/v1/events/export?limit=${limit}`)).body).toBe(expectedCsv({ limit }));
    await t.ctx.db.kysely
      .insertInto('settings')
      .values({ key: 'exports.row_limit', value: '100', updated_at: NOW })
      .execute();
    try {
      const res = await get('/api/v1/events/export?limit=5000');
      expect(res.headers['x-row-limit']).toBe('100');
      expect(res.body).toBe(expectedCsv({ limit: 100 }));
    } finally {
      await t.ctx.db.kysely.deleteFrom('settings').where('key', '=', 'exports.row_limit').execute();
    }
  });

  it('reads every row once, in order, whatever the chunk size and wherever a chunk ends', async () => {
    const filter = {
      from: startOfDay(NOW) - 365 * DAY,
      to: startOfDay(NOW) + 2 * DAY,
      brandIds: null,
      sourceIds: null,
      types: null,
      testFlags: [0, 1],
      tag: null,
    };
    const all = expectedRows({}).map((r) => r[0]);
    for (const [chunk, limit] of [
      [1, 40],
      [3, 100],
      [7, 60],
      [8, 61],
      [2000, 1_000_000],
    ] as const) {
      const ids: unknown[] = [];
      for await (const rows of exportEventRows(t.ctx.db, filter, limit, 'UTC', chunk)) {
        expect(rows.length).toBeLessThanOrEqual(chunk);
        ids.push(...rows.map((r) => r[0]));
      }
      expect(ids, `chunk ${chunk}`).toEqual(all.slice(0, limit));
    }
  });

  it('writes the same cells as XLSX', async () => {
    const res = await get('/api/v1/events/export?format=xlsx&tag=a');
    expect(res.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    // exceljs types its input as an ArrayBuffer; give it exactly the payload's bytes.
    const bytes = res.rawPayload;
    await book.xlsx.load(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    );
    const sheet = book.worksheets[0];
    if (!sheet) throw new Error('no sheet');
    const got: Value[][] = [];
    sheet.eachRow((row) => {
      got.push(
        EVENT_EXPORT_HEADER.map((_, i) => {
          const v = row.getCell(i + 1).value;
          return v === undefined || v === null || v === '' ? null : (v as Value);
        }),
      );
    });
    const want = [EVENT_EXPORT_HEADER, ...expectedRows({ tag: 'a' }).map((r) => r.map(defused))];
    // XML reads a CR back as LF (exceljs writes it raw), and an empty text cell as no value.
    const asRead = (v: Value): Value =>
      v === '' ? null : typeof v === 'string' ? v.replace(/\r\n?/g, '\n') : v;
    expect(got).toEqual(want.map((r) => r.map(asRead)));
  });
});
