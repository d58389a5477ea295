/**
 * Brand administration through `/api/admin/brands` (SQLite or PostgreSQL, per AFFPANEL_TEST_DB):
 * the list (aliases, events, last event), rename, block / unblock reaching validation at once,
 * and merges: every figure (summary, brands, stats, deals, broken tags, log) is the same before
 * and after, the alias's slug resolves to the target for reads and new postbacks, every rollup
 * equals a recount of the events, a writer holding a stale cache follows the merge, concurrent
 * postbacks are neither lost nor counted twice, refusals change nothing, every change is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAnalyticsTables } from '../../src/analytics/tables.js';
import { BrandDirectory } from '../../src/brands/brand-directory.js';
import type { CanonicalEvent } from '../../src/domain.js';
import { storeBatch } from '../../src/ingest/store-batch.js';
import { expectRollupsEqualRecount as expectRollupsEqualStoredRecount } from '../helpers/rollup-recount.js';
import { createTestApp, keyOf, type LoggedIn, query, type TestApp } from '../helpers/test-app.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

let t: TestApp;
let admin: LoggedIn;
let viewer: LoggedIn;
const now = Date.now();
const today = new Date(now).toISOString().slice(0, 10);
const from = new Date(now - 60 * DAY).toISOString().slice(0, 10);
const RANGE = `from=${from}&to=${today}`;

beforeAll(async () => {
  t = await createTestApp('admin-brands');
  admin = await t.loginAs({ role: 'admin' });
  viewer = await t.loginAs({ role: 'viewer' });
});

afterAll(async () => {
  await t?.close();
});

// ---------------------------------------------------------------- helpers

interface AdminBrand {
  id: number;
  slug: string;
  name: string;
  blocked: boolean;
  aliasOf: string | null;
  aliases: string[];
  events: number;
  lastEventAt: string | null;
}

interface Post {
  brand: string;
  event: string;
  tx: string;
  at?: number;
  uid?: string;
  amount?: string;
  currency?: string;
  tag?: string;
  affiliate?: string;
  geo?: string;
  test?: boolean;
}

function postbackUrl(p: Post): string {
  const params: Record<string, string | number> = {
    key: keyOf(t, 'cellxpert'),
    event: p.event,
    brand: p.brand,
    depositid: p.tx,
    timestamp: new Date(p.at ?? now - HOUR).toISOString(),
    test: p.test ? 1 : 0,
  };
  if (p.uid) params.userid = p.uid;
  if (p.amount) {
    params.amount = p.amount;
    params.currency = p.currency ?? 'EUR';
  }
  if (p.tag) params.trackingcode = p.tag;
  if (p.affiliate) params.affiliateid = p.affiliate;
  if (p.geo) params.isocountry = p.geo;
  return `/postback/cellxpert?${query(params)}`;
}

async function post(p: Post): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await t.app.inject({ method: 'GET', url: postbackUrl(p) });
  return { status: res.statusCode, body: res.json() };
}

async function read<T>(url: string): Promise<T> {
  const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.apiToken}` } });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json() as T;
}

async function listBrands(): Promise<AdminBrand[]> {
  const res = await t.app.inject({ method: 'GET', url: '/api/admin/brands', headers: admin.headers });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { brands: AdminBrand[] }).brands;
}

async function brand(slug: string): Promise<AdminBrand> {
  const found = (await listBrands()).find((b) => b.slug === slug);
  if (!found) throw new Error(`no brand ${slug} in the admin list`);
  return found;
}

function patch(slug: string, body: unknown, who: LoggedIn = admin) {
  return t.app.inject({
    method: 'PATCH',
    url: `/api/admin/brands/${encodeURIComponent(slug)}`,
    headers: who.headers,
    payload: body as Record<string, unknown>,
  });
}

function merge(slug: string, body: unknown, who: LoggedIn = admin) {
  return t.app.inject({
    method: 'POST',
    url: `/api/admin/brands/${encodeURIComponent(slug)}/merge`,
    headers: who.headers,
    payload: body as Record<string, unknown>,
  });
}

async function auditActions(targetId: number): Promise<string[]> {
  const rows = await t.ctx.db.kysely
    .selectFrom('audit_log')
    .select('action')
    .where('target_type', '=', 'brand')
    .where('target_id', '=', String(targetId))
    .orderBy('id')
    .execute();
  return rows.map((r) => r.action);
}

async function tableCounts(): Promise<Record<string, number>> {
  const db = withAnalyticsTables(t.ctx.db.kysely);
  const out: Record<string, number> = {};
  for (const table of ['events', 'rollup_hourly', 'rollup_daily', 'rollup_broken', 'orphan_ftds'] as const) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

/** Every table kept by brand (and every other rollup), recounted from the events, must equal what is stored. */
async function expectRollupsEqualRecount(): Promise<void> {
  await t.ctx.derived.catchUp();
  await expectRollupsEqualStoredRecount(t.ctx.db);
}

/** Every figure the read API serves for the period, for the brands given (slugs). */
async function figures(slugs: string[]) {
  const brandFilter = `brand=${slugs.join(',')}`;
  const [summaryAll, summaryProd, stats, tags, deals, brokenTags, log] = await Promise.all([
    read<Record<string, unknown>>(`/api/v1/summary?${RANGE}&test=all&${brandFilter}`),
    read<Record<string, unknown>>(`/api/v1/summary?${RANGE}&${brandFilter}`),
    read<{ summary: unknown; rows: unknown[] }>(`/api/v1/stats?${RANGE}&dimension=source&test=all`),
    read<{ summary: unknown; rows: unknown[] }>(`/api/v1/stats?${RANGE}&dimension=tag&test=all`),
    read<{ rows: Array<{ brand: string; reg: number; ftd: number; orphan_ftds: number }> }>(
      `/api/v1/deals?${RANGE}&test=all&${brandFilter}`,
    ),
    read<{ summary: { broken_events: number }; rows: Array<{ events: number }> }>(
      `/api/v1/broken-tags?${RANGE}&test=all&${brandFilter}`,
    ),
    read<{ total: number }>(`/api/v1/events?${RANGE}&test=all&${brandFilter}`),
  ]);
  const { period: _p1, ...all } = summaryAll;
  const { period: _p2, ...prod } = summaryProd;
  const sum = (k: 'reg' | 'ftd' | 'orphan_ftds') => deals.rows.reduce((s, r) => s + r[k], 0);
  return {
    all,
    prod,
    stats: { summary: stats.summary, rows: stats.rows },
    tags: { summary: tags.summary, rows: tags.rows },
    deals: {
      reg: sum('reg'),
      ftd: sum('ftd'),
      orphans: sum('orphan_ftds'),
    },
    broken: brokenTags.summary.broken_events,
    log: log.total,
  };
}

function canonical(brandSlug: string, tx: string): CanonicalEvent {
  const at = new Date(now - 5 * HOUR);
  return {
    type: 'CLICK',
    rawEvent: 'click',
    brand: brandSlug,
    sourceId: Number(t.sources.get('cellxpert')?.id),
    affiliateId: 'w1',
    subId: null,
    externalUid: null,
    transactionId: tx,
    trackingTag: null,
    trafficSource: null,
    country: null,
    amountMicros: null,
    currency: null,
    isTest: false,
    sender: null,
    sheet: null,
    receivedAt: at,
    occurredAt: at,
    brokenFields: [],
    brokenMacro: null,
    dedupKey: `CLICK|t|${tx}`,
    rawQuery: `brand=${brandSlug}`,
    rawBody: null,
    ip: null,
  };
}

// ---------------------------------------------------------------- tests

describe('brand admin', () => {
  it('lists every brand with its events and last event, and only for admins', async () => {
    const last = now - 2 * HOUR;
    for (const [i, at] of [now - 3 * DAY, last, now - 30 * DAY].entries())
      expect((await post({ brand: 'ListMe', event: 'click', tx: `list-${i}`, at })).status).toBe(200);
    const listed = await brand('listme');
    expect(listed).toMatchObject({
      slug: 'listme',
      name: 'listme',
      blocked: false,
      aliasOf: null,
      aliases: [],
      events: 3,
      lastEventAt: new Date(last).toISOString(),
    });
    const asViewer = await t.app.inject({ method: 'GET', url: '/api/admin/brands', headers: viewer.headers });
    expect(asViewer.statusCode).toBe(403);
  });

  it('renames a brand (display name only) and audits it; bad input is refused with the field', async () => {
    expect((await post({ brand: 'renamer', event: 'reg', tx: 'ren-1', uid: 'ren-u1' })).status).toBe(200);
    const res = await patch('renamer', { name: '  Renamer Casino  ' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().brand).toMatchObject({ slug: 'renamer', name: 'Renamer Casino', events: 1 });
    const rows = await read<{ rows: Array<{ slug: string; name: string }> }>(
      `/api/v1/brands?${RANGE}&search=renamer`,
    );
    expect(rows.rows).toEqual([expect.objectContaining({ slug: 'renamer', name: 'Renamer Casino' })]);
    const id = (await brand('renamer')).id;
    expect(await auditActions(id)).toEqual(['brand.update']);

    for (const [body, field] of [
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(65) }, 'name'],
      [{ name: 'tab\there' }, 'name'],
      [{ name: 42 }, 'name'],
      [{ blocked: 'yes' }, 'blocked'],
      [{}, 'name'],
      [{ name: 'ok', slug: 'other' }, 'slug'],
    ] as const) {
      const bad = await patch('renamer', body);
      expect(bad.statusCode, JSON.stringify(body)).toBe(400);
      expect(bad.json().error.field, JSON.stringify(body)).toBe(field);
    }
    expect((await patch('no-such-brand', { name: 'x' })).statusCode).toBe(404);
    expect((await patch('renamer', { name: 'Viewer' }, viewer)).statusCode).toBe(403);
    const noCsrf = await t.app.inject({
      method: 'PATCH',
      url: '/api/admin/brands/renamer',
      headers: { cookie: admin.cookie },
      payload: { name: 'No CSRF' },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect((await brand('renamer')).name).toBe('Renamer Casino');
    expect(await auditActions(id)).toEqual(['brand.update']);
  });

  it('blocks at once (postbacks refused with the reason, aliases too) and unblocks', async () => {
    expect((await post({ brand: 'blockme', event: 'click', tx: 'blk-0' })).status).toBe(200);
    expect((await post({ brand: 'blockme-alias', event: 'click', tx: 'blk-a0' })).status).toBe(200);
    expect((await merge('blockme-alias', { into: 'blockme' })).statusCode).toBe(200);

    const blocked = await patch('blockme', { blocked: true });
    expect(blocked.statusCode, blocked.body).toBe(200);
    expect(blocked.json().brand).toMatchObject({ blocked: true, aliases: ['blockme-alias'] });
    // No wait: the very next postback is refused, for the brand and for its alias.
    for (const slug of ['blockme', 'BlockMe', 'blockme-alias']) {
      const refused = await post({ brand: slug, event: 'click', tx: `blk-${slug}` });
      expect(refused.status, slug).toBe(403);
      expect(refused.body).toMatchObject({ code: 'brand_blocked', field: 'brand' });
      expect(String(refused.body.reason)).toContain('is blocked');
    }
    const rejections = await t.ctx.db.kysely
      .selectFrom('rejections')
      .select(['brand_slug', 'reason_code'])
      .where('reason_code', '=', 'brand_blocked')
      .execute();
    expect(rejections.map((r) => r.brand_slug).sort()).toEqual(['blockme', 'blockme', 'blockme-alias']);
    expect((await brand('blockme')).events).toBe(2);

    const aliasBlock = await patch('blockme-alias', { blocked: false });
    expect(aliasBlock.statusCode).toBe(409);
    expect(aliasBlock.json().error).toMatchObject({ field: 'blocked' });
    expect(aliasBlock.json().error.message).toContain('blockme');

    expect((await patch('blockme', { blocked: false })).statusCode).toBe(200);
    expect((await post({ brand: 'blockme-alias', event: 'click', tx: 'blk-after' })).status).toBe(200);
    expect((await brand('blockme')).events).toBe(3);
    const id = (await brand('blockme')).id;
    expect(await auditActions(id)).toEqual(['brand.update', 'brand.update']);
  });

  it('merges an alias: every figure is unchanged, rollups equal a recount, the alias slug follows', async () => {
    const A = 'brit-sino';
    const B = 'britsino';
    const hourAgo = now - HOUR - 60_000;
    const posts: Post[] = [];
    for (const slug of [A, B]) {
      // Same hour, source, affiliate, type and currency under both: rollup keys collide on merge.
      posts.push(
        {
          brand: slug,
          event: 'cpa',
          tx: `${slug}-cpa`,
          at: hourAgo,
          amount: '10.50',
          affiliate: 'a1',
          uid: `${slug}-c`,
        },
        {
          brand: slug,
          event: 'click',
          tx: `${slug}-clk`,
          at: hourAgo,
          tag: '{clickid}',
          affiliate: 'a1',
          geo: 'ES',
        },
        { brand: slug, event: 'dep', tx: `${slug}-dep`, at: now - 40 * DAY, amount: '5', currency: 'USD' },
        {
          brand: slug,
          event: 'reg',
          tx: `${slug}-test`,
          at: hourAgo,
          uid: `${slug}-t`,
          test: true,
          tag: 'TG_1',
        },
      );
    }
    posts.push(
      // A player registered under one slug and deposited under the other: an orphan only until the merge.
      { brand: A, event: 'reg', tx: 'p1-reg', at: now - 3 * DAY, uid: 'p1', tag: 'WA_1' },
      { brand: B, event: 'ftd', tx: 'p1-ftd', at: now - 2 * DAY, uid: 'p1', amount: '20', affiliate: 'a1' },
      { brand: A, event: 'ftd', tx: 'nouid-ftd', at: now - DAY },
      { brand: B, event: 'reg', tx: 'p2-reg', at: now - 5 * DAY, uid: 'p2', geo: 'DE' },
      { brand: B, event: 'ftd', tx: 'p2-ftd', at: now - 4 * DAY, uid: 'p2' },
    );
    for (const p of posts) expect((await post(p)).status, p.tx).toBe(200);

    const slugs = [A, B];
    const beforeAdmin = await listBrands();
    const countOf = (list: AdminBrand[], slug: string) => list.find((b) => b.slug === slug)?.events ?? 0;
    const aEvents = countOf(beforeAdmin, A);
    const bEvents = countOf(beforeAdmin, B);
    expect(aEvents + bEvents).toBe(posts.length);
    const before = await figures(slugs);
    const beforeBrands = await read<{ rows: Array<{ slug: string; events: number }> }>(
      `/api/v1/brands?${RANGE}&test=all`,
    );
    const brandEvents = (rows: Array<{ slug: string; events: number }>, slug: string) =>
      rows.find((r) => r.slug === slug)?.events ?? 0;
    expect(before.deals.orphans).toBe(2);
    await expectRollupsEqualRecount();

    const res = await merge('Brit-Sino', { into: ' BritSino ' });
    expect(res.statusCode, res.body).toBe(200);
    const merged = res.json();
    expect(merged.merged).toBe(A);
    expect(merged.moved).toMatchObject({ events: aEvents, orphanFtdsCleared: 1, aliases: [] });
    expect(merged.brand).toMatchObject({ slug: B, aliases: [A], events: aEvents + bEvents });

    const after = await figures(slugs);
    expect(after.all).toEqual(before.all);
    expect(after.prod).toEqual(before.prod);
    expect(after.stats).toEqual(before.stats);
    expect(after.tags).toEqual(before.tags);
    expect(after.deals).toEqual({ ...before.deals, orphans: 1 });
    expect(after.broken).toBe(before.broken);
    expect(after.log).toBe(before.log);
    const afterBrands = await read<{ rows: Array<{ slug: string; events: number }> }>(
      `/api/v1/brands?${RANGE}&test=all`,
    );
    expect(afterBrands.rows.find((r) => r.slug === A)).toBeUndefined();
    expect(brandEvents(afterBrands.rows, B)).toBe(
      brandEvents(beforeBrands.rows, A) + brandEvents(beforeBrands.rows, B),
    );
    // The alias's own page and filter show the brand it was merged into.
    const aliasPage = await read<{ summary: unknown }>(`/api/v1/brands/${A}?${RANGE}&test=all`);
    const targetPage = await read<{ summary: unknown }>(`/api/v1/brands/${B}?${RANGE}&test=all`);
    expect(aliasPage.summary).toEqual(targetPage.summary);
    expect((await figures([A])).all).toEqual(before.all);
    await expectRollupsEqualRecount();

    const adminList = await listBrands();
    expect(adminList.find((b) => b.slug === A)).toMatchObject({ aliasOf: B, events: 0 });
    const bId = (await brand(B)).id;
    const aId = (await brand(A)).id;
    expect(await auditActions(aId)).toEqual(['brand.merge']);
    const entry = await t.ctx.db.kysely
      .selectFrom('audit_log')
      .select(['before', 'after', 'actor_user_id'])
      .where('action', '=', 'brand.merge')
      .where('target_id', '=', String(aId))
      .executeTakeFirstOrThrow();
    expect(entry.actor_user_id).toBe(admin.userId);
    expect(JSON.parse(entry.after ?? '{}')).toMatchObject({
      brand: { slug: A, aliasOf: B },
      moved: { events: aEvents },
    });

    // A new postback for the alias slug (any case) is stored under the brand it was merged into.
    const fresh = await post({ brand: 'BRIT-SINO', event: 'reg', tx: 'after-merge', uid: 'p9' });
    expect(fresh.status).toBe(200);
    const stored = await t.ctx.db.kysely
      .selectFrom('events')
      .select('brand_id')
      .where('id', '=', Number(fresh.body.event_id))
      .executeTakeFirstOrThrow();
    expect(Number(stored.brand_id)).toBe(bId);
    expect((await brand(B)).events).toBe(aEvents + bEvents + 1);
    await expectRollupsEqualRecount();
  });

  it('refuses merges into itself, unknown brands, aliases and blocked brands, changing nothing', async () => {
    for (const [slug, i] of [
      ['m-one', 1],
      ['m-two', 2],
      ['m-three', 3],
      ['m-blocked', 4],
    ] as const)
      expect((await post({ brand: slug, event: 'click', tx: `ref-${i}` })).status).toBe(200);
    expect((await merge('m-three', { into: 'm-two' })).statusCode).toBe(200);
    expect((await patch('m-blocked', { blocked: true })).statusCode).toBe(200);
    const counts = await tableCounts();
    const auditBefore = await t.ctx.db.kysely
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();

    for (const [slug, body, status, field, text] of [
      ['m-one', { into: 'M-ONE' }, 400, 'into', 'itself'],
      ['m-one', { into: 'nowhere' }, 404, 'into', 'nowhere'],
      ['nowhere', { into: 'm-one' }, 404, 'slug', 'nowhere'],
      ['m-one', { into: 'm-three' }, 409, 'into', 'm-two'],
      ['m-three', { into: 'm-one' }, 409, 'slug', 'already merged'],
      ['m-blocked', { into: 'm-one' }, 409, 'slug', 'blocked'],
      ['m-one', {}, 400, 'into', 'into'],
      ['m-one', { into: '' }, 400, 'into', 'into'],
      ['m-one', { into: 7 }, 400, 'into', 'into'],
      ['m-one', { into: 'm-two', also: 1 }, 400, 'also', 'also'],
    ] as const) {
      const res = await merge(slug, body);
      expect(res.statusCode, `${slug} ${JSON.stringify(body)}`).toBe(status);
      expect(res.json().error.field).toBe(field);
      expect(res.json().error.message).toContain(text);
    }
    expect((await merge('m-one', { into: 'm-two' }, viewer)).statusCode).toBe(403);
    expect(await tableCounts()).toEqual(counts);
    const auditAfter = await t.ctx.db.kysely
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(auditAfter.n)).toBe(Number(auditBefore.n));
    expect((await brand('m-one')).aliasOf).toBeNull();

    // Merging a brand that has aliases moves them along: no chains.
    const res = await merge('m-two', { into: 'm-one' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().moved.aliases).toEqual(['m-three']);
    expect((await brand('m-one')).aliases.sort()).toEqual(['m-three', 'm-two']);
    expect((await brand('m-three')).aliasOf).toBe('m-one');
    expect((await brand('m-one')).events).toBe(3);
    const third = await post({ brand: 'm-three', event: 'click', tx: 'ref-5' });
    expect(third.status).toBe(200);
    expect((await brand('m-one')).events).toBe(4);
  });

  it('a writer whose brand cache predates the merge stores under the merged brand', async () => {
    expect((await post({ brand: 'stale-a', event: 'click', tx: 'st-1' })).status).toBe(200);
    expect((await post({ brand: 'stale-b', event: 'click', tx: 'st-2' })).status).toBe(200);
    // Like the SQLite writer thread: its own directory, loaded before the merge, never refreshed.
    const writerCache = new BrandDirectory(t.ctx.db, 3_600_000);
    await writerCache.refresh();
    expect(writerCache.peek('stale-a')?.effectiveId).toBe((await brand('stale-a')).id);

    expect((await merge('stale-a', { into: 'stale-b' })).statusCode).toBe(200);
    const [result] = await storeBatch(t.ctx.db, writerCache, [
      { kind: 'event', event: canonical('stale-a', 'st-3') },
    ]);
    expect(result?.kind).toBe('accepted');
    const row = await t.ctx.db.kysely
      .selectFrom('events')
      .select('brand_id')
      .where('id', '=', result?.kind === 'accepted' ? result.eventId : -1)
      .executeTakeFirstOrThrow();
    const target = await brand('stale-b');
    expect(Number(row.brand_id)).toBe(target.id);
    expect(target.events).toBe(3);
    expect(writerCache.peek('stale-a')?.effectiveId).toBe(target.id);
    await expectRollupsEqualRecount();
  });

  it('postbacks arriving during a merge are all kept, once, under the merged brand', async () => {
    expect((await post({ brand: 'race-a', event: 'click', tx: 'race-seed-a' })).status).toBe(200);
    expect((await post({ brand: 'race-b', event: 'click', tx: 'race-seed-b' })).status).toBe(200);
    const wave = (n: number, offset: number) =>
      Array.from({ length: n }, (_, i) =>
        post({
          brand: i % 2 === 0 ? 'race-a' : 'race-b',
          event: i % 3 === 0 ? 'reg' : 'click',
          tx: `race-${offset + i}`,
          uid: `race-u${offset + i}`,
          affiliate: 'a1',
        }),
      );
    const first = wave(30, 0);
    const merging = merge('race-a', { into: 'race-b' });
    const second = wave(30, 100);
    const [answers, mergeRes] = await Promise.all([Promise.all([...first, ...second]), merging]);
    expect(mergeRes.statusCode, mergeRes.body).toBe(200);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const target = await brand('race-b');
    expect(target.events).toBe(62);
    const ids = answers.map((a) => Number(a.body.event_id));
    const rows = await t.ctx.db.kysely
      .selectFrom('events')
      .select('brand_id')
      .where('id', 'in', ids)
      .execute();
    expect(rows.length).toBe(60);
    expect(new Set(rows.map((r) => Number(r.brand_id)))).toEqual(new Set([target.id]));
    const summary = await read<{ counts: { CLICK: number; REG: number } }>(
      `/api/v1/summary?${RANGE}&brand=race-a`,
    );
    expect(summary.counts.CLICK + summary.counts.REG).toBe(62);
    await expectRollupsEqualRecount();
  });
});
