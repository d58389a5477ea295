/**
 * The settings admin API: every editable value with its default, validation naming the field with
 * nothing stored on a bad request, reset to default, the change taking effect at once on the read
 * API (rate colours, suspicious deals, the base-currency revenue total, source health), one audit
 * entry per changed value with old → new, and viewers refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAnalyticsTables } from '../../src/analytics/tables.js';
import { createTestApp, keyOf, type LoggedIn, query, type TestApp } from '../helpers/test-app.js';

let t: TestApp;
let admin: LoggedIn;
let viewer: LoggedIn;

interface Entry<V> {
  value: V;
  default: V;
  overridden: boolean;
}
interface Fx {
  base: string;
  rates: Record<string, string>;
}
interface SettingsBody {
  settings: {
    clickToReg: Entry<number>;
    regToFtd: Entry<number>;
    regToCpa: Entry<number>;
    suspiciousRatio: Entry<number>;
    suspiciousMinReg: Entry<number>;
    exportRowLimit: Entry<number>;
    fx: Entry<Fx | null>;
  };
  revenueCurrencies: string[];
  sourceLag: {
    slug: string;
    warningMinutes: number;
    errorMinutes: number;
    default: { warningMinutes: number; errorMinutes: number };
    overridden: boolean;
  }[];
  changed?: string[];
}

const put = (payload: unknown, who: LoggedIn = admin) =>
  t.app.inject({
    method: 'PUT',
    url: '/api/admin/settings',
    headers: who.headers,
    payload: payload as Record<string, unknown>,
  });
const putLag = (slug: string, payload: unknown, who: LoggedIn = admin) =>
  t.app.inject({
    method: 'PUT',
    url: `/api/admin/settings/source-lag/${slug}`,
    headers: who.headers,
    payload: payload as Record<string, unknown>,
  });
async function current(): Promise<SettingsBody> {
  const res = await t.app.inject({ method: 'GET', url: '/api/admin/settings', headers: admin.headers });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
async function read<T>(url: string): Promise<T> {
  const res = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.apiToken}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
async function storedRows() {
  return t.ctx.db.kysely.selectFrom('settings').select(['key', 'value']).orderBy('key').execute();
}
async function auditOf(targetId: string) {
  const rows = await t.ctx.db.kysely
    .selectFrom('audit_log')
    .selectAll()
    .where('target_id', '=', targetId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    action: r.action,
    targetType: r.target_type,
    actorUserId: r.actor_user_id === null ? null : Number(r.actor_user_id),
    before: r.before === null ? null : JSON.parse(r.before),
    after: r.after === null ? null : JSON.parse(r.after),
  }));
}

beforeAll(async () => {
  t = await createTestApp('admin-settings');
  admin = await t.loginAs({ role: 'admin' });
  viewer = await t.loginAs({ role: 'viewer' });
  const now = new Date().toISOString();
  const post = async (params: Record<string, string | number>) => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/postback/cellxpert?${query({ key: keyOf(t, 'cellxpert'), brand: 'settingsbrand', timestamp: now, ...params })}`,
    });
    expect(res.statusCode, res.body).toBe(200);
  };
  // 4 REG, 2 FTD, 2 CPA (USD and EUR): REG→CPA 50 %, FTD/REG 50 % on 4 REG.
  for (const u of ['u1', 'u2', 'u3', 'u4']) await post({ event: 'reg', userid: u, depositid: `r-${u}` });
  await post({ event: 'ftd', userid: 'u1', depositid: 'f1', amount: '20', currency: 'EUR' });
  await post({ event: 'ftd', userid: 'u2', depositid: 'f2', amount: '30', currency: 'EUR' });
  await post({ event: 'cpa', userid: 'u1', depositid: 'c1', amount: '100.25', currency: 'USD' });
  await post({ event: 'cpa', userid: 'u2', depositid: 'c2', amount: '10', currency: 'EUR' });
});

afterAll(async () => {
  await t?.close();
});

describe('reading', () => {
  it('lists every editable value with its default, none overridden on a fresh install', async () => {
    const body = await current();
    expect(body.settings).toEqual({
      clickToReg: { value: 0.05, default: 0.05, overridden: false },
      regToFtd: { value: 0.2, default: 0.2, overridden: false },
      regToCpa: { value: 0.1, default: 0.1, overridden: false },
      suspiciousRatio: { value: 0.25, default: 0.25, overridden: false },
      suspiciousMinReg: { value: 20, default: 20, overridden: false },
      exportRowLimit: { value: 1_000_000, default: 1_000_000, overridden: false },
      fx: { value: null, default: null, overridden: false },
    });
    const cellxpert = body.sourceLag.find((s) => s.slug === 'cellxpert');
    expect(cellxpert).toMatchObject({
      warningMinutes: 240,
      errorMinutes: 1440,
      default: { warningMinutes: 240, errorMinutes: 1440 },
      overridden: false,
    });
    expect(body.sourceLag.map((s) => s.slug)).toEqual([...t.sources.keys()].sort());
  });

  it('lists the currencies CPA revenue is in, for the FX table', async () => {
    await t.ctx.derived.catchUp();
    expect((await current()).revenueCurrencies).toEqual(['EUR', 'USD']);
  });
});

describe('validation: 400 naming the field, nothing stored', () => {
  it.each([
    [{ clickToReg: 1.5 }, 'clickToReg'],
    [{ clickToReg: -0.01 }, 'clickToReg'],
    [{ regToFtd: '0.2' }, 'regToFtd'],
    [{ regToCpa: true }, 'regToCpa'],
    [{ suspiciousRatio: 0 }, 'suspiciousRatio'],
    [{ suspiciousRatio: 1.2 }, 'suspiciousRatio'],
    [{ suspiciousMinReg: 0 }, 'suspiciousMinReg'],
    [{ suspiciousMinReg: 2.5 }, 'suspiciousMinReg'],
    [{ exportRowLimit: 10 }, 'exportRowLimit'],
    [{ exportRowLimit: 2_000_000 }, 'exportRowLimit'],
    [{ fx: { base: 'EURO', rates: {} } }, 'fx.base'],
    [{ fx: { base: 'XYZ', rates: {} } }, 'fx.base'],
    [{ fx: { base: 'EUR', rates: { USD: 0.92 } } }, 'fx.rates.USD'],
    [{ fx: { base: 'EUR', rates: { USD: '0' } } }, 'fx.rates.USD'],
    [{ fx: { base: 'EUR', rates: { USD: '-1' } } }, 'fx.rates.USD'],
    [{ fx: { base: 'EUR', rates: { USD: '1e3' } } }, 'fx.rates.USD'],
    [{ fx: { base: 'EUR', rates: { USD: '0.1234567' } } }, 'fx.rates.USD'],
    [{ fx: { base: 'EUR', rates: { EUR: '1.1' } } }, 'fx.rates.EUR'],
    [{ fx: { base: 'EUR', rates: { USDT: '1' } } }, 'fx.rates.USDT'],
    [{ fx: { base: 'EUR', rates: { usd: '1.1', USD: '1.1' } } }, 'fx.rates.USD'],
    [{ fx: { base: 'EUR' } }, 'fx.rates'],
    [{ colour: 'red' }, 'colour'],
  ])('refuses %j (field %s)', async (payload, field) => {
    const before = await storedRows();
    const res = await put(payload);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.field).toBe(field);
    expect(res.json().error.message).toContain(field.split('.')[0]);
    expect(await storedRows()).toEqual(before);
  });

  it('stores nothing of a request with one bad value among good ones', async () => {
    const before = await storedRows();
    const res = await put({ clickToReg: 0.07, exportRowLimit: 5000, suspiciousMinReg: -3 });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('suspiciousMinReg');
    expect(await storedRows()).toEqual(before);
    expect((await current()).settings.clickToReg.value).toBe(0.05);
  });

  it('keeps the REG → FTD threshold below the suspicious ratio', async () => {
    const high = await put({ clickToReg: 0.07, regToFtd: 0.3 });
    expect(high.statusCode).toBe(400);
    expect(high.json().error.field).toBe('regToFtd');
    const low = await put({ suspiciousRatio: 0.2 });
    expect(low.statusCode).toBe(400);
    expect(low.json().error.field).toBe('suspiciousRatio');
    expect((await current()).settings.clickToReg.overridden).toBe(false);
    // Both at once, in an order that is valid together.
    const both = await put({ regToFtd: 0.3, suspiciousRatio: 0.4 });
    expect(both.statusCode, both.body).toBe(200);
    expect((await put({ regToFtd: null, suspiciousRatio: null })).statusCode).toBe(200);
  });

  it('refuses an empty request', async () => {
    const res = await put({});
    expect(res.statusCode).toBe(400);
  });
});

describe('saving, reset and audit', () => {
  it('saves a value, shows it overridden, audits old → new, and resets it to the default', async () => {
    const res = await put({ exportRowLimit: 5000 });
    expect(res.statusCode, res.body).toBe(200);
    const body: SettingsBody = res.json();
    expect(body.changed).toEqual(['exportRowLimit']);
    expect(body.settings.exportRowLimit).toEqual({ value: 5000, default: 1_000_000, overridden: true });
    expect(await storedRows()).toContainEqual({ key: 'exports.row_limit', value: '5000' });
    expect((await current()).settings.exportRowLimit.value).toBe(5000);

    // The events export honours it at once.
    const exp = await t.app.inject({
      method: 'GET',
      url: '/api/v1/events/export?period=today&format=csv',
      headers: { authorization: `Bearer ${t.apiToken}` },
    });
    expect(exp.headers['x-row-limit']).toBe('5000');

    // Saving the same value again changes nothing and writes no audit entry.
    const same = await put({ exportRowLimit: 5000 });
    expect(same.json().changed).toEqual([]);

    const reset = await put({ exportRowLimit: null });
    expect(reset.json().changed).toEqual(['exportRowLimit']);
    expect(reset.json().settings.exportRowLimit).toEqual({
      value: 1_000_000,
      default: 1_000_000,
      overridden: false,
    });
    expect((await storedRows()).map((r) => r.key)).not.toContain('exports.row_limit');

    expect(await auditOf('exportRowLimit')).toEqual([
      {
        action: 'settings.update',
        targetType: 'setting',
        actorUserId: admin.userId,
        before: { value: 1_000_000, overridden: false },
        after: { value: 5000, overridden: true },
      },
      {
        action: 'settings.reset',
        targetType: 'setting',
        actorUserId: admin.userId,
        before: { value: 5000, overridden: true },
        after: { value: 1_000_000, overridden: false },
      },
    ]);
  });

  it('writes one audit entry per changed value of a request', async () => {
    const res = await put({ clickToReg: 0.08, regToFtd: 0.2 });
    // regToFtd equals its default but was not overridden: it is now pinned (a change of state).
    expect(res.json().changed).toEqual(['clickToReg', 'regToFtd']);
    expect((await auditOf('clickToReg')).at(-1)).toMatchObject({
      action: 'settings.update',
      before: { value: 0.05, overridden: false },
      after: { value: 0.08, overridden: true },
    });
    expect((await auditOf('regToFtd')).at(-1)).toMatchObject({
      before: { value: 0.2, overridden: false },
      after: { value: 0.2, overridden: true },
    });
    await put({ clickToReg: null, regToFtd: null });
  });

  it('stores thresholds without floating-point noise', async () => {
    await put({ regToCpa: 0.051000000000000004 });
    expect(await storedRows()).toContainEqual({ key: 'metrics.threshold.reg_cpa', value: '0.051' });
    await put({ regToCpa: null });
  });
});

describe('effect on the read API, at once', () => {
  interface Summary {
    rates: Record<string, { value: number | null; threshold: number; colour: string | null }>;
    revenue_base: { currency: string; amount: string; missing: string[] } | null;
  }

  it('a threshold flips a rate colour in /summary and /compare', async () => {
    const before = await read<Summary>('/api/v1/summary?period=today&brand=settingsbrand');
    expect(before.rates.reg_to_cpa).toEqual({ value: 0.5, threshold: 0.1, colour: 'green' });
    expect((await put({ regToCpa: 0.6 })).statusCode).toBe(200);
    const after = await read<Summary>('/api/v1/summary?period=today&brand=settingsbrand');
    expect(after.rates.reg_to_cpa).toEqual({ value: 0.5, threshold: 0.6, colour: 'red' });
    const compare = await read<{ rates: { rate: string; current: number | null; threshold: number }[] }>(
      '/api/v1/compare?mode=day&brand=settingsbrand',
    );
    expect(compare.rates.find((r) => r.rate === 'reg_to_cpa')).toMatchObject({
      current: 0.5,
      threshold: 0.6,
    });
    await put({ regToCpa: null });
    const reset = await read<Summary>('/api/v1/summary?period=today&brand=settingsbrand');
    expect(reset.rates.reg_to_cpa?.colour).toBe('green');
  });

  it('the suspicious-deal minimum REG changes /deals', async () => {
    interface Deals {
      suspicious_min_reg: number;
      rows: { brand: string; source: string; reg: number; ftd: number; suspicious: boolean }[];
    }
    const row = (d: Deals) => d.rows.find((r) => r.brand === 'settingsbrand' && r.source === 'cellxpert');
    const before = await read<Deals>('/api/v1/deals?period=today');
    expect(row(before)).toMatchObject({ reg: 4, ftd: 2, suspicious: false });
    expect((await put({ suspiciousMinReg: 4 })).statusCode).toBe(200);
    const after = await read<Deals>('/api/v1/deals?period=today');
    expect(after.suspicious_min_reg).toBe(4);
    expect(row(after)?.suspicious).toBe(true);
    // FTD/REG is 50 %: a ratio of 60 % clears it again.
    expect((await put({ suspiciousRatio: 0.6 })).statusCode).toBe(200);
    expect(row(await read<Deals>('/api/v1/deals?period=today'))?.suspicious).toBe(false);
    await put({ suspiciousMinReg: null, suspiciousRatio: null });
  });

  it('FX rates give the base-currency revenue total, exactly', async () => {
    const url = '/api/v1/summary?period=today&brand=settingsbrand';
    expect((await read<Summary>(url)).revenue_base).toBeNull();

    const res = await put({ fx: { base: 'eur', rates: { USD: '0.920000', EUR: '1.0' } } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().settings.fx).toEqual({
      value: { base: 'EUR', rates: { EUR: '1', USD: '0.92' } },
      default: null,
      overridden: true,
    });
    // 100.25 USD × 0.92 + 10 EUR = 102.23 EUR
    const base = (await read<Summary>(url)).revenue_base;
    expect(base?.currency).toBe('EUR');
    expect(base?.missing).toEqual([]);
    expect(Number(base?.amount)).toBe(102.23);

    // Removing the USD row: the total is withheld and names the missing currency.
    await put({ fx: { base: 'EUR', rates: {} } });
    expect((await read<Summary>(url)).revenue_base).toEqual({
      currency: 'EUR',
      amount: '',
      missing: ['USD'],
    });

    const off = await put({ fx: null });
    expect(off.json().settings.fx).toEqual({ value: null, default: null, overridden: false });
    expect((await read<Summary>(url)).revenue_base).toBeNull();
    expect((await storedRows()).map((r) => r.key)).not.toContain('fx.rates');

    const audit = await auditOf('fx');
    expect(audit.map((a) => a.action)).toEqual(['settings.update', 'settings.update', 'settings.reset']);
    expect(audit[1]?.before).toEqual({
      value: { base: 'EUR', rates: { EUR: '1', USD: '0.92' } },
      overridden: true,
    });
    expect(audit[1]?.after).toEqual({ value: { base: 'EUR', rates: { EUR: '1' } }, overridden: true });
  });
});

describe('source lag thresholds', () => {
  interface Health {
    rows: { source: string; lag_minutes: number | null; status: string }[];
  }
  const statusOf = async (slug: string) =>
    (await read<Health>('/api/v1/source-health')).rows.find((r) => r.source === slug);

  it('validates: both whole minutes in bounds, warning below error, a known source', async () => {
    const cases: [unknown, string][] = [
      [{ warningMinutes: 60 }, 'errorMinutes'],
      [{ warningMinutes: 0, errorMinutes: 60 }, 'warningMinutes'],
      [{ warningMinutes: 30.5, errorMinutes: 60 }, 'warningMinutes'],
      [{ warningMinutes: 60, errorMinutes: 100_000 }, 'errorMinutes'],
      [{ warningMinutes: 60, errorMinutes: 60 }, 'errorMinutes'],
      [{ warningMinutes: 90, errorMinutes: 60 }, 'errorMinutes'],
      [{ warningMinutes: 30, errorMinutes: 60, extra: 1 }, 'extra'],
    ];
    for (const [payload, field] of cases) {
      const res = await putLag('cellxpert', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.field, JSON.stringify(payload)).toBe(field);
    }
    const unknown = await putLag('nope', { warningMinutes: 30, errorMinutes: 60 });
    expect(unknown.statusCode).toBe(404);
    const row = await t.ctx.db.kysely
      .selectFrom('sources')
      .select(['lag_warning_minutes', 'lag_error_minutes'])
      .where('slug', '=', 'cellxpert')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ lag_warning_minutes: 240, lag_error_minutes: 1440 });
  });

  it('changes the source health status at once, audited, and back to the template default', async () => {
    // The last event arrived 90 minutes ago (source health reads it from rollup_source).
    await t.ctx.derived.catchUp();
    const source = t.sources.get('cellxpert');
    await withAnalyticsTables(t.ctx.db.kysely)
      .updateTable('rollup_source')
      .set({ last_received_at: Date.now() - 90 * 60_000 })
      .where('source_id', '=', Number(source?.id))
      .execute();
    expect(await statusOf('cellxpert')).toMatchObject({ lag_minutes: 90, status: 'healthy' });

    const res = await putLag('cellxpert', { warningMinutes: 30, errorMinutes: 60 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().source).toMatchObject({
      slug: 'cellxpert',
      warningMinutes: 30,
      errorMinutes: 60,
      overridden: true,
    });
    expect((await statusOf('cellxpert'))?.status).toBe('error');

    await putLag('cellxpert', { warningMinutes: 60, errorMinutes: 120 });
    expect((await statusOf('cellxpert'))?.status).toBe('warning');
    expect((await current()).sourceLag.find((s) => s.slug === 'cellxpert')).toMatchObject({
      warningMinutes: 60,
      errorMinutes: 120,
      overridden: true,
    });

    await putLag('cellxpert', { warningMinutes: 240, errorMinutes: 1440 });
    expect((await statusOf('cellxpert'))?.status).toBe('healthy');
    expect((await current()).sourceLag.find((s) => s.slug === 'cellxpert')?.overridden).toBe(false);

    const audit = await auditOf('cellxpert');
    expect(audit.filter((a) => a.action === 'source.lag_update')).toEqual([
      {
        action: 'source.lag_update',
        targetType: 'source',
        actorUserId: admin.userId,
        before: { warningMinutes: 240, errorMinutes: 1440 },
        after: { warningMinutes: 30, errorMinutes: 60 },
      },
      expect.objectContaining({ before: { warningMinutes: 30, errorMinutes: 60 } }),
      expect.objectContaining({ after: { warningMinutes: 240, errorMinutes: 1440 } }),
    ]);
  });
});

describe('access', () => {
  it('refuses viewers (403) and writes without the CSRF token', async () => {
    const get = await t.app.inject({ method: 'GET', url: '/api/admin/settings', headers: viewer.headers });
    expect(get.statusCode).toBe(403);
    expect((await put({ clickToReg: 0.5 }, viewer)).statusCode).toBe(403);
    expect((await putLag('cellxpert', { warningMinutes: 1, errorMinutes: 2 }, viewer)).statusCode).toBe(403);
    const noCsrf = await t.app.inject({
      method: 'PUT',
      url: '/api/admin/settings',
      headers: { cookie: admin.cookie },
      payload: { clickToReg: 0.5 },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect((await current()).settings.clickToReg).toMatchObject({ value: 0.05, overridden: false });
  });
});
