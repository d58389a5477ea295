/**
 * `/api/admin/settings`: the analytics settings an admin may edit — metric thresholds, the
 * suspicious-deal rule, the export row limit, base currency with exact FX rates — each with its
 * default and whether it is overridden, plus every source's lag thresholds. A request is
 * validated whole before anything is stored (errors name the field), written in one transaction,
 * and leaves one audit entry per changed value (old → new). Pages read settings per request, so a
 * change shows at once; the source cache is refreshed after a lag change.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { type Actor, recordAudit } from '../../access/audit.js';
import { actorOf } from '../../access/guards.js';
import {
  type AnalyticsSettings,
  DEFAULT_SETTINGS,
  getSettings,
  MAX_FX_CURRENCIES,
  parseFxInput,
  SETTING_BOUNDS,
  SETTING_KEYS,
} from '../../analytics/get-settings.js';
import { withAnalyticsTables } from '../../analytics/tables.js';
import type { AppContext } from '../../context.js';
import type { Database, SourceRow } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { getTemplate } from '../../sources/templates.js';

type Fx = NonNullable<AnalyticsSettings['fx']>;
type NumberName = Exclude<keyof typeof SETTING_KEYS, 'fxBase' | 'fxRates'>;
type SettingName = NumberName | 'fx';
type SettingValue = number | Fx | null;

const LAG_BOUNDS = { min: 1, max: 43_200 } as const;

/** How to read each number from the effective settings (its row is `SETTING_KEYS[name]`). */
const NUMBERS: Record<NumberName, (s: AnalyticsSettings) => number> = {
  clickToReg: (s) => s.thresholds.clickToReg,
  regToFtd: (s) => s.thresholds.regToFtd,
  regToCpa: (s) => s.thresholds.regToCpa,
  suspiciousRatio: (s) => s.suspiciousRatio,
  suspiciousMinReg: (s) => s.suspiciousMinReg,
  exportRowLimit: (s) => s.exportRowLimit,
};
const NAMES: readonly SettingName[] = [...(Object.keys(NUMBERS) as NumberName[]), 'fx'];
const FX_KEYS = [SETTING_KEYS.fxBase, SETTING_KEYS.fxRates];

// ---------------------------------------------------------------- parsing

const T = SETTING_BOUNDS.threshold;
const thresholdMsg = (name: string) =>
  `${name} must be a fraction between ${T.min} and ${T.max} (0.05 = 5 %)`;
const threshold = (name: string) =>
  z
    .number({ error: thresholdMsg(name) })
    .min(T.min, thresholdMsg(name))
    .max(T.max, thresholdMsg(name))
    .transform((v) => Math.round(v * 1e6) / 1e6);
const wholeNumber = (name: string, b: { min: number; max: number }) => {
  const msg = `${name} must be a whole number from ${b.min.toLocaleString('en-US')} to ${b.max.toLocaleString('en-US')}`;
  return z.number({ error: msg }).int(msg).min(b.min, msg).max(b.max, msg);
};
const ratioMsg = `suspiciousRatio must be a fraction above 0 and at most ${SETTING_BOUNDS.suspiciousRatio.max} (0.25 = 25 %)`;

/** A partial update: a value sets the setting, `null` resets it to its default. */
const patchSchema = z.strictObject({
  clickToReg: threshold('clickToReg').nullable().optional(),
  regToFtd: threshold('regToFtd').nullable().optional(),
  regToCpa: threshold('regToCpa').nullable().optional(),
  suspiciousRatio: z
    .number({ error: ratioMsg })
    .gt(SETTING_BOUNDS.suspiciousRatio.min, ratioMsg)
    .max(SETTING_BOUNDS.suspiciousRatio.max, ratioMsg)
    .transform((v) => Math.round(v * 1e6) / 1e6)
    .nullable()
    .optional(),
  suspiciousMinReg: wholeNumber('suspiciousMinReg', SETTING_BOUNDS.suspiciousMinReg).nullable().optional(),
  exportRowLimit: wholeNumber('exportRowLimit', SETTING_BOUNDS.exportRowLimit).nullable().optional(),
  fx: z
    .strictObject(
      {
        base: z.string({ error: 'fx.base must be a currency code like EUR' }),
        rates: z.record(z.string(), z.unknown(), { error: 'fx.rates must map currency codes to rates' }),
      },
      { error: 'fx must be { base, rates }, or null to switch the base-currency total off' },
    )
    .nullable()
    .optional(),
});
type Patch = z.infer<typeof patchSchema>;

const lagSchema = z.strictObject({
  warningMinutes: wholeNumber('warningMinutes', LAG_BOUNDS),
  errorMinutes: wholeNumber('errorMinutes', LAG_BOUNDS),
});

function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const key = [...issue.path, issue.keys[0]].join('.');
    throw new AppError('bad_request', `unknown field "${key}"`, { field: key });
  }
  throw new AppError('bad_request', issue?.message ?? 'invalid settings', { field: issue?.path.join('.') });
}

// ---------------------------------------------------------------- reading

async function overriddenKeys(db: Kysely<Database>): Promise<Set<string>> {
  const rows = await db
    .selectFrom('settings')
    .select('key')
    .where('key', 'in', [...(Object.keys(NUMBERS) as NumberName[]).map((n) => SETTING_KEYS[n]), ...FX_KEYS])
    .execute();
  return new Set(rows.map((r) => r.key));
}

function settingValue(name: SettingName, s: AnalyticsSettings): SettingValue {
  return name === 'fx' ? s.fx : NUMBERS[name](s);
}

function isOverridden(name: SettingName, stored: Set<string>): boolean {
  return name === 'fx' ? FX_KEYS.some((k) => stored.has(k)) : stored.has(SETTING_KEYS[name]);
}

function lagDefault(source: Pick<SourceRow, 'template'>): { warningMinutes: number; errorMinutes: number } {
  const lag = (getTemplate(source.template) ?? getTemplate('generic'))?.lag;
  return lag ? { ...lag } : { warningMinutes: 360, errorMinutes: 1560 };
}

function sourceLag(
  s: Pick<
    SourceRow,
    'slug' | 'name' | 'template' | 'is_active' | 'lag_warning_minutes' | 'lag_error_minutes'
  >,
) {
  const d = lagDefault(s);
  return {
    slug: s.slug,
    name: s.name,
    isActive: s.is_active === 1,
    warningMinutes: s.lag_warning_minutes,
    errorMinutes: s.lag_error_minutes,
    default: d,
    overridden: s.lag_warning_minutes !== d.warningMinutes || s.lag_error_minutes !== d.errorMinutes,
  };
}

/** Everything the Settings page edits, with defaults, bounds and the currencies revenue is in. */
async function readAll(ctx: AppContext) {
  const db = ctx.db.kysely;
  const [settings, stored, sources, currencies] = await Promise.all([
    getSettings(db),
    overriddenKeys(db),
    db.selectFrom('sources').selectAll().orderBy('slug').execute(),
    withAnalyticsTables(db)
      .selectFrom('rollup_daily')
      .select('currency')
      .distinct()
      .where('grain', '=', 'm')
      .where('type', '=', 'CPA')
      .where('currency', '<>', '')
      .orderBy('currency')
      .execute(),
  ]);
  const defaults = DEFAULT_SETTINGS;
  return {
    settings: Object.fromEntries(
      NAMES.map((name) => [
        name,
        {
          value: settingValue(name, settings),
          default: settingValue(name, defaults),
          overridden: isOverridden(name, stored),
        },
      ]),
    ),
    bounds: { ...SETTING_BOUNDS, lagMinutes: LAG_BOUNDS, fxCurrencies: MAX_FX_CURRENCIES },
    revenueCurrencies: currencies.map((c) => c.currency),
    sourceLag: sources.map(sourceLag),
  };
}

// ---------------------------------------------------------------- writing

async function upsertSetting(
  trx: Transaction<Database>,
  key: string,
  value: string,
  now: number,
): Promise<void> {
  await trx
    .insertInto('settings')
    .values({ key, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute();
}

/** Null deletes the row(s), so the default applies again. */
async function storeNumber(trx: Transaction<Database>, name: NumberName, value: number | null, now: number) {
  const key = SETTING_KEYS[name];
  if (value === null) await trx.deleteFrom('settings').where('key', '=', key).execute();
  else await upsertSetting(trx, key, String(value), now);
}

async function storeFx(trx: Transaction<Database>, fx: Fx | null, now: number) {
  if (fx === null) {
    await trx.deleteFrom('settings').where('key', 'in', FX_KEYS).execute();
    return;
  }
  await upsertSetting(trx, SETTING_KEYS.fxBase, fx.base, now);
  await upsertSetting(trx, SETTING_KEYS.fxRates, JSON.stringify(fx.rates), now);
}

/** The REG → FTD threshold (a "good" conversion) must stay below the suspicious ratio. */
function checkConversionOrder(patch: Patch, current: AnalyticsSettings): void {
  const regToFtd =
    patch.regToFtd === undefined
      ? current.thresholds.regToFtd
      : (patch.regToFtd ?? DEFAULT_SETTINGS.thresholds.regToFtd);
  const ratio =
    patch.suspiciousRatio === undefined
      ? current.suspiciousRatio
      : (patch.suspiciousRatio ?? DEFAULT_SETTINGS.suspiciousRatio);
  if (regToFtd < ratio) return;
  const field = patch.suspiciousRatio !== undefined ? 'suspiciousRatio' : 'regToFtd';
  const pct = (v: number) => `${Number((v * 100).toFixed(4))} %`;
  throw new AppError(
    'bad_request',
    `${field}: the suspicious-deal ratio (${pct(ratio)}) must be above the REG → FTD threshold (${pct(regToFtd)}), or a deal could be green and suspicious at once`,
    { field },
  );
}

const sameValue = (a: SettingValue, b: SettingValue) => JSON.stringify(a) === JSON.stringify(b);

async function applyPatch(ctx: AppContext, patch: Patch, fx: Fx | null | undefined, actor: Actor) {
  const now = Date.now();
  return ctx.db.kysely.transaction().execute(async (trx) => {
    const [current, stored] = await Promise.all([getSettings(trx), overriddenKeys(trx)]);
    checkConversionOrder(patch, current);
    const changed: SettingName[] = [];
    for (const name of NAMES) {
      const requested = name === 'fx' ? fx : patch[name];
      if (requested === undefined) continue;
      const before = { value: settingValue(name, current), overridden: isOverridden(name, stored) };
      const reset = requested === null;
      if (reset ? !before.overridden : before.overridden && sameValue(before.value, requested)) continue;
      if (name === 'fx') await storeFx(trx, fx ?? null, now);
      else await storeNumber(trx, name, patch[name] ?? null, now);
      const after = { value: reset ? settingValue(name, DEFAULT_SETTINGS) : requested, overridden: !reset };
      await recordAudit(
        trx,
        actor,
        {
          action: reset ? 'settings.reset' : 'settings.update',
          targetType: 'setting',
          targetId: name,
          before,
          after,
        },
        now,
      );
      changed.push(name);
    }
    return changed;
  });
}

async function updateSourceLag(ctx: AppContext, slug: string, input: unknown, actor: Actor) {
  const lag = parseOrThrow(lagSchema, input);
  if (lag.errorMinutes <= lag.warningMinutes)
    throw new AppError('bad_request', 'errorMinutes must be above warningMinutes', { field: 'errorMinutes' });
  const now = Date.now();
  return ctx.db.kysely.transaction().execute(async (trx) => {
    const source = await trx.selectFrom('sources').selectAll().where('slug', '=', slug).executeTakeFirst();
    if (!source) throw new AppError('not_found', `no source "${slug}"`, { field: 'slug' });
    const before = { warningMinutes: source.lag_warning_minutes, errorMinutes: source.lag_error_minutes };
    if (before.warningMinutes === lag.warningMinutes && before.errorMinutes === lag.errorMinutes)
      return { source: sourceLag(source), changed: false };
    const after = await trx
      .updateTable('sources')
      .set({ lag_warning_minutes: lag.warningMinutes, lag_error_minutes: lag.errorMinutes, updated_at: now })
      .where('id', '=', source.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(
      trx,
      actor,
      { action: 'source.lag_update', targetType: 'source', targetId: slug, before, after: lag },
      now,
    );
    return { source: sourceLag(after), changed: true };
  });
}

export async function adminSettingsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/api/admin/settings', async () => readAll(ctx));

  app.put('/api/admin/settings', async (request) => {
    const patch = parseOrThrow(patchSchema, request.body);
    if (Object.keys(patch).length === 0)
      throw new AppError('bad_request', `name at least one setting: ${NAMES.join(', ')}`);
    const fx = patch.fx ? parseFxInput(patch.fx) : patch.fx;
    const changed = await applyPatch(ctx, patch, fx, actorOf(request));
    return { ...(await readAll(ctx)), changed };
  });

  app.put<{ Params: { slug: string } }>('/api/admin/settings/source-lag/:slug', async (request) => {
    const result = await updateSourceLag(ctx, request.params.slug, request.body, actorOf(request));
    // Status is read from the table per request; the postback path's cached copy follows at once.
    if (result.changed) await ctx.sources.refresh();
    return result;
  });
}
