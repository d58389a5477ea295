/**
 * The read API through HTTP: every route answers, bad parameters get 400 naming the field, the
 * exports stream safe CSV/XLSX, and the OpenAPI document lists every route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countOrphans } from '../../src/analytics/list-deals.js';
import { expectRollupsEqualRecount } from '../helpers/rollup-recount.js';
import { createTestApp, keyOf, query, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
const auth = () => ({ authorization: `Bearer ${t.apiToken}` });
const get = (url: string) => t.app.inject({ method: 'GET', url, headers: auth() });

beforeAll(async () => {
  t = await createTestApp('analytics-routes');
  const now = Date.now();
  const post = (params: Record<string, string | number>) =>
    t.app.inject({
      method: 'GET',
      url: `/postback/cellxpert?${query({ key: keyOf(t, 'cellxpert'), ...params })}`,
    });
  await post({
    event: 'reg',
    brand: 'alpha',
    userid: 'u1',
    depositid: 'r1',
    affiliateid: 7,
    trackingcode: '=HYPERLINK("x")',
    timestamp: new Date(now - 3600_000).toISOString(),
  });
  await post({
    event: 'ftd',
    brand: 'alpha',
    userid: 'u1',
    depositid: 'f1',
    affiliateid: 7,
    amount: '10.5',
    currency: 'EUR',
    timestamp: new Date(now).toISOString(),
  });
  await post({
    event: 'ftd',
    brand: 'alpha',
    userid: 'u2',
    depositid: 'f2',
    affiliateid: 7,
    amount: '3',
    currency: 'EUR',
    timestamp: new Date(now).toISOString(),
  });
  await post({
    event: 'cpa',
    brand: 'alpha',
    userid: 'u1',
    depositid: 'c1',
    affiliateid: 7,
    amount: '100.25',
    currency: 'USD',
    trackingcode: '{clickid}',
    timestamp: new Date(now).toISOString(),
  });
  await post({ event: 'reg', brand: 'alpha', isocountry: 'XX' });
});
afterAll(async () => t.close());

describe('read routes', () => {
  it.each([
    '/api/v1/summary',
    '/api/v1/summary?period=ytd&brand=alpha',
    '/api/v1/timeseries?period=this_month',
    '/api/v1/events',
    '/api/v1/events?type=FTD,CPA&tag=click&page=1',
    '/api/v1/events/recent',
    '/api/v1/stats?dimension=tag&period=this_week',
    '/api/v1/stats?dimension=geo&brand=alpha',
    '/api/v1/stats?dimension=sheet',
    '/api/v1/compare?mode=week',
    '/api/v1/compare?mode=custom&from=2026-01-01&to=2026-01-31',
    '/api/v1/brands',
    '/api/v1/brands/alpha',
    '/api/v1/sources',
    '/api/v1/affiliates',
    '/api/v1/affiliates/7',
    '/api/v1/deals?problems_only=true',
    '/api/v1/deals/alpha/cellxpert',
    '/api/v1/broken-tags',
    '/api/v1/source-health',
    '/api/v1/rejections',
    '/api/v1/openapi.json',
  ])('answers 200 to %s', async (url) => {
    const res = await get(url);
    expect(res.statusCode, res.body).toBe(200);
  });

  it('counts the summary from the rollups', async () => {
    const body = (await get('/api/v1/summary?period=today')).json();
    expect(body.counts.FTD).toBeGreaterThanOrEqual(2);
    expect(body.revenue).toEqual([{ currency: 'USD', amount: '100.25' }]);
  });

  it("ends today's activity chart at the current hour, not at midnight", async () => {
    const body = (await get('/api/v1/timeseries?period=today')).json<{ points: { t: string }[] }>();
    const now = Date.now();
    const last = body.points.at(-1);
    expect(last && Date.parse(last.t)).toBeLessThanOrEqual(now);
    expect(body.points.length).toBe(new Date(now).getUTCHours() + 1);
  });

  it('filters the recent-events feed by source', async () => {
    type Recent = { rows: { source: string }[] };
    const all = (await get('/api/v1/events/recent')).json<Recent>().rows;
    expect(all.length).toBeGreaterThan(0);
    const cellxpert = (await get('/api/v1/events/recent?source=cellxpert')).json<Recent>().rows;
    expect(cellxpert.length).toBe(all.filter((r) => r.source === 'cellxpert').length);
    expect((await get('/api/v1/events/recent?source=affise')).json<Recent>().rows).toEqual([]);
    expect((await get('/api/v1/events/recent?source=no-such-source')).json<Recent>().rows).toEqual([]);
  });

  it('narrows the Stats summary to the rows a text search matched', async () => {
    type Stats = {
      summary: { counts: Record<string, number>; revenue: { currency: string; amount: string }[] };
      summary_search: string | null;
      rows: { key: string; counts: Record<string, number> }[];
    };
    const all = (await get('/api/v1/stats?dimension=tag&period=today')).json<Stats>();
    expect(all.summary_search).toBeNull();
    const found = (await get('/api/v1/stats?dimension=tag&period=today&search=CLICK')).json<Stats>();
    expect(found.summary_search).toBe('CLICK');
    expect(found.rows.map((r) => r.key)).toEqual(['{clickid}']);
    expect(found.summary.counts).toEqual(found.rows[0]?.counts);
    expect(found.summary.counts.CPA).toBe(1);
    expect(found.summary.revenue).toEqual([{ currency: 'USD', amount: '100.25' }]);
    expect(all.summary.counts.FTD).toBeGreaterThan(found.summary.counts.FTD ?? 0);
  });

  it('takes a period on the event log, as the other read routes do', async () => {
    type Page = { total: number; rows: { id: number }[] };
    const day = new Date().toISOString().slice(0, 10);
    const byDates = (await get(`/api/v1/events?from=${day}&to=${day}`)).json<Page>();
    const byPeriod = (await get('/api/v1/events?period=today')).json<Page>();
    expect(byPeriod.total).toBeGreaterThan(0);
    expect(byPeriod.rows.map((r) => r.id)).toEqual(byDates.rows.map((r) => r.id));
    const all = (await get('/api/v1/events')).json<Page>();
    const old = (await get('/api/v1/events?period=last_month')).json<Page>();
    expect(old.total).toBeLessThan(all.total);
    const both = await get(`/api/v1/events?period=today&from=${day}`);
    expect(both.statusCode).toBe(400);
    expect(both.json().error.field).toBe('period');
  });

  it('labels the row of events without a sheet', async () => {
    type Stats = { rows: { key: string; label: string; events: number }[] };
    const rows = (await get('/api/v1/stats?dimension=sheet&period=today')).json<Stats>().rows;
    expect(rows.find((r) => r.key === '')).toMatchObject({ label: '(no sheet)' });
  });

  it('gives every brand its last event ever, whatever the period', async () => {
    type Brands = { rows: { slug: string; events: number; last_event_at: string | null }[] };
    const now = (await get('/api/v1/brands')).json<Brands>().rows.find((r) => r.slug === 'alpha');
    const old = (await get('/api/v1/brands?from=2020-01-01&to=2020-01-02')).json<Brands>().rows;
    const alpha = old.find((r) => r.slug === 'alpha');
    expect(alpha?.events).toBe(0);
    expect(alpha?.last_event_at).not.toBeNull();
    expect(alpha?.last_event_at).toBe(now?.last_event_at);
  });

  it('marks an affiliate id that is an unsubstituted macro, and does not count it as affected', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/postback/cellxpert?${query({ key: keyOf(t, 'cellxpert'), event: 'reg', brand: 'alpha', userid: 'mx1', affiliateid: '{affiliate_id}' })}`,
    });
    expect(res.json()).toMatchObject({ status: 'accepted' });
    type Affs = { rows: { affiliate_id: string; unresolved_macro: string | null }[] };
    const rows = (await get('/api/v1/affiliates?period=today')).json<Affs>().rows;
    expect(rows.find((r) => r.affiliate_id === '{affiliate_id}')?.unresolved_macro).toBe('{affiliate_id}');
    expect(rows.find((r) => r.affiliate_id === '7')?.unresolved_macro).toBeNull();
    type Broken = { summary: { affected_affiliates: number }; rows: { affiliate_id: string }[] };
    const broken = (await get('/api/v1/broken-tags?period=today')).json<Broken>();
    const ids = new Set(broken.rows.map((r) => r.affiliate_id));
    expect(ids.has('{affiliate_id}')).toBe(true);
    expect(broken.summary.affected_affiliates).toBe(
      [...ids].filter((id) => id !== '' && !id.includes('{')).length,
    );
  });

  it('filters Broken Tags by a part of the macro, in any case', async () => {
    type Broken = { rows: { macro: string }[] };
    const rows = async (macro: string) =>
      (await get(`/api/v1/broken-tags?period=today&macro=${encodeURIComponent(macro)}`)).json<Broken>().rows;
    expect((await rows('CLICKID')).map((r) => r.macro)).toEqual(['{clickid}']);
    expect(await rows('_%')).toEqual([]);
    expect(await rows('nothing-like-it')).toEqual([]);
  });

  it('leaves test postbacks out of source health', async () => {
    type Health = { rows: { source: string; events_today: number; status: string }[] };
    const res = await t.app.inject({
      method: 'GET',
      url: `/postback/cparound?${query({ key: keyOf(t, 'cparound'), event: 'reg', brand: 'alpha', external_uid: 'sh1', is_test: 1 })}`,
    });
    expect(res.json()).toMatchObject({ status: 'accepted' });
    await t.ctx.derived.catchUp();
    const rows = (await get('/api/v1/source-health')).json<Health>().rows;
    expect(rows.find((r) => r.source === 'cparound')).toMatchObject({ events_today: 0, status: 'unknown' });
    expect(rows.find((r) => r.source === 'cellxpert')?.events_today).toBeGreaterThan(0);
  });

  it('flags the FTD without a registration as an orphan', async () => {
    const body = (await get('/api/v1/deals?period=ytd')).json();
    const row = body.rows.find((r: { brand: string }) => r.brand === 'alpha');
    expect(row.orphan_ftds).toBe(1);
    expect(row.rejected).toBe(1);
  });

  it('clears the orphan when a registration dated before the FTD arrives later', async () => {
    const now = Date.now();
    const post = (params: Record<string, string>) =>
      t.app.inject({
        method: 'GET',
        url: `/postback/cellxpert?${query({ key: keyOf(t, 'cellxpert'), brand: 'late', userid: 'lu', ...params })}`,
      });
    // Deals reads whole days from the orphan counts.
    const inDeals = async () =>
      (await get('/api/v1/deals?period=ytd')).json().rows.find((r: { brand: string }) => r.brand === 'late')
        ?.orphan_ftds ?? 0;
    // A range with hour edges is counted from orphan_ftds (Deals takes dates, so it is asked directly).
    const inHours = async () => {
      const brand = await t.ctx.db.kysely
        .selectFrom('brands')
        .select('id')
        .where('slug', '=', 'late')
        .executeTakeFirstOrThrow();
      const counts = await countOrphans(t.ctx.db, { from: now - 600_000, to: now + 600_000 }, [0]);
      return counts.get(`${brand.id}|${t.sources.get('cellxpert')?.id}`) ?? 0;
    };
    const ftd = await post({ event: 'ftd', depositid: 'lf', timestamp: new Date(now).toISOString() });
    expect(ftd.statusCode).toBe(200);
    expect(await inDeals()).toBe(1);
    expect(await inHours()).toBe(1);
    const reg = await post({
      event: 'reg',
      depositid: 'lr',
      timestamp: new Date(now - 7_200_000).toISOString(),
    });
    expect(reg.statusCode).toBe(200);
    expect(await inDeals()).toBe(0);
    expect(await inHours()).toBe(0);
    await expectRollupsEqualRecount(t.ctx.db);
  });

  it.each([
    ['/api/v1/summary?period=decade', 'period'],
    ['/api/v1/summary?from=2026-03-02&to=2026-03-01', 'from'],
    ['/api/v1/events?from=2010-01-01&to=2020-01-01', 'from'],
    ['/api/v1/events?page=0', 'page'],
    [`/api/v1/events?tag=${'x'.repeat(10_000)}`.slice(0, 10_030), 'tag'],
    [`/api/v1/stats?search=${'x'.repeat(300)}`, 'search'],
    ['/api/v1/stats?dimension=colour', 'dimension'],
    ['/api/v1/compare?mode=custom', 'from'],
    ['/api/v1/events/export?tz=Mars/Olympus', 'tz'],
  ])('answers 400 naming the field, case %#', async (url, field) => {
    const res = await get(url);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.field).toBe(field);
  });

  it('lists rejections by the slug they were sent to, registered source or not', async () => {
    // A wrong key on a registered source, and a slug that is no source at all (a typo in a URL).
    await t.app.inject({
      method: 'GET',
      url: `/postback/cellxpert?${query({ key: 'wrong', event: 'reg', brand: 'rj' })}`,
    });
    await t.app.inject({
      method: 'GET',
      url: `/postback/celxpert?${query({ key: 'x', event: 'reg', brand: 'rj' })}`,
    });
    type Page = { rows: { source: string; code: string }[] };
    const bySource = async (slug: string) =>
      (await get(`/api/v1/rejections?period=today&source=${slug}`)).json<Page>().rows;
    const typo = await bySource('celxpert');
    expect(typo.map((r) => [r.source, r.code])).toEqual([['celxpert', 'unknown_source']]);
    const real = await bySource('CELLXPERT');
    expect(real.length).toBeGreaterThan(0);
    expect(new Set(real.map((r) => r.source))).toEqual(new Set(['cellxpert']));
    expect(real.map((r) => r.code)).toContain('bad_key');
    const all = (await get('/api/v1/rejections?period=today')).json<Page>().rows;
    expect(all.length).toBe(typo.length + real.length);
    // By the brand the postback named, in any case.
    type Branded = { rows: { brand: string | null; source: string }[] };
    const rj = (await get('/api/v1/rejections?period=today&brand=RJ')).json<Branded>().rows;
    expect(rj.map((r) => [r.brand, r.source]).sort()).toEqual([
      ['rj', 'cellxpert'],
      ['rj', 'celxpert'],
    ]);
    const alpha = (await get('/api/v1/rejections?period=today&brand=alpha&source=cellxpert')).json<Branded>()
      .rows;
    expect(alpha.length).toBeGreaterThan(0);
    expect(new Set(alpha.map((r) => r.brand))).toEqual(new Set(['alpha']));
  });

  it('counts on Deal Audit the rejections no deal row can show', async () => {
    // After the test above: a wrong key for brand rj (never accepted) and a slug that is no source.
    type Deals = { unattributed_rejections: number; rows: { brand: string; rejected: number }[] };
    const deals = async (q: string) => (await get(`/api/v1/deals?period=today${q}`)).json<Deals>();
    expect((await deals('')).unattributed_rejections).toBe(2);
    expect((await deals('&source=cellxpert')).unattributed_rejections).toBe(1);
    expect((await deals('&brand=alpha')).unattributed_rejections).toBe(0);
    // The rejection with a known brand is on its row, not in the count.
    expect((await deals('')).rows.find((r) => r.brand === 'alpha')?.rejected).toBe(1);
  });

  it('exports events as CSV with formula-safe cells', async () => {
    const res = await get('/api/v1/events/export?format=csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.trim().split('\n');
    expect(lines[0]).toContain('time_utc');
    expect(res.body).toContain(`'=HYPERLINK`);
  });

  it('exports the stats in the columns and order of the table', async () => {
    const res = await get('/api/v1/stats/export?format=csv&dimension=source&period=today');
    expect(res.statusCode).toBe(200);
    const [header, first] = res.body.trim().split('\n');
    expect(header).toBe('source,label,events,CLICK,REG,FTD,CPA,REDEP,DEP,click_to_reg,reg_to_ftd,reg_to_cpa');
    expect(first?.startsWith('cellxpert,CELLXPERT,')).toBe(true);
  });

  it('exports deals and stats as XLSX', async () => {
    for (const url of ['/api/v1/deals/export?format=xlsx&period=ytd', '/api/v1/stats/export?format=xlsx']) {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.subarray(0, 2).toString()).toBe('PK');
    }
  });

  it('describes every route in the OpenAPI document', async () => {
    const doc = (await get('/api/v1/openapi.json')).json();
    expect(Object.keys(doc.paths)).toContain('/api/v1/deals/{brand}/{source}');
    expect(Object.keys(doc.paths).length).toBeGreaterThanOrEqual(20);
  });
});
