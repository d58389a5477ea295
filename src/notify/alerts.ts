/**
 * Alerts to the admin chat: a source silent past its error threshold, a brand × source turning
 * suspicious (the Deal Audit rule), a spike of broken tags for a brand. Each condition is announced
 * once when it starts and once more when it resolves: the open conditions live in `notify_alerts`,
 * compared and updated under a named lock together with the outbox rows of the messages, so two
 * instances (or a restart) never announce one twice. Never sends directly: messages go through
 * the outbox and the sender's pacing like any other.
 */
import { sql } from 'kysely';
import { getSettings } from '../analytics/get-settings.js';
import { getSourceHealth } from '../analytics/get-source-health.js';
import { listDeals } from '../analytics/list-deals.js';
import { withAnalyticsTables } from '../analytics/tables.js';
import type { Db } from '../db/connect.js';
import { lockInvariant } from '../db/dialect.js';
import type { AlertSettings } from './alert-settings.js';
import { withNotifyTables } from './tables.js';
import { escapeTelegramHtml } from './telegram-html.js';

const HOUR_MS = 3600_000;

export interface AlertCondition {
  key: string;
  kind: 'source_silent' | 'suspicious_deal' | 'broken_spike';
  /** Telegram HTML, values escaped. */
  subject: string;
  detail: string;
}

const code = (value: string) => `<code>${escapeTelegramHtml(value)}</code>`;
const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;

/** The conditions that hold now. */
export async function evaluateAlertConditions(
  db: Db,
  settings: AlertSettings,
  now: number,
): Promise<AlertCondition[]> {
  const out: AlertCondition[] = [];
  for (const s of await getSourceHealth(db, now)) {
    if (!s.is_active || s.status !== 'error') continue;
    out.push({
      key: `source_silent:${s.source}`,
      kind: 'source_silent',
      subject: `Source ${code(s.source)} is silent`,
      detail: `no event for ${s.lag_minutes ?? '?'} min (last ${escapeTelegramHtml(s.last_event_at ?? 'never')})`,
    });
  }

  const analytics = await getSettings(db.kysely);
  const deals = await listDeals(
    db,
    { from: now - settings.suspiciousWindowHours * HOUR_MS, to: now + 1 },
    { brandIds: null, sourceIds: null, affiliateId: null, testFlags: [0] },
    analytics,
    { problemsOnly: true, sort: 'brand', order: 'asc' },
  );
  for (const d of deals) {
    if (!d.suspicious || d.conversion === null) continue;
    out.push({
      key: `suspicious_deal:${d.brand}|${d.source}`,
      kind: 'suspicious_deal',
      subject: `Deal ${code(d.brand)} × ${code(d.source)} looks suspicious`,
      detail: `FTD/REG ${pct(d.conversion)} (${d.ftd} FTD / ${d.reg} REG in the last ${settings.suspiciousWindowHours} h; rule: above ${pct(analytics.suspiciousRatio)} with at least ${analytics.suspiciousMinReg} REG)`,
    });
  }

  const since = Math.floor((now - (settings.brokenSpikeWindowHours - 1) * HOUR_MS) / HOUR_MS) * HOUR_MS;
  // rollup_hour is folded in: the notifier catches the derived rollups up before evaluating.
  const broken = await withAnalyticsTables(db.kysely)
    .selectFrom('rollup_hour')
    .innerJoin('brands', 'brands.id', 'rollup_hour.brand_id')
    .select(['brands.slug', sql<string>`sum(rollup_hour.broken_count)`.as('n')])
    .where('rollup_hour.hour_start', '>=', since)
    .where('rollup_hour.is_test', '=', 0)
    .groupBy('brands.slug')
    .execute();
  for (const b of broken) {
    const n = Number(b.n);
    if (n < settings.brokenSpikeThreshold) continue;
    out.push({
      key: `broken_spike:${b.slug}`,
      kind: 'broken_spike',
      subject: `Broken tags spike for ${code(b.slug)}`,
      detail: `${n} events with unsubstituted macros since ${new Date(since).toISOString().slice(11, 16)} UTC (threshold ${settings.brokenSpikeThreshold})`,
    });
  }
  return out;
}

export interface AlertChanges {
  opened: string[];
  resolved: string[];
}

/**
 * Compares the conditions with the open alerts and writes, in one transaction, the changes and the
 * messages announcing them (to the settings' chat, with the settings' bot).
 */
export async function applyAlertConditions(
  db: Db,
  settings: AlertSettings & { botId: number; chatId: string },
  conditions: readonly AlertCondition[],
  now: number,
  /** When the messages are due (the real clock; `now` may be a chosen evaluation time). */
  sendAt = Date.now(),
): Promise<AlertChanges> {
  return db.kysely.transaction().execute(async (trx) => {
    await lockInvariant(trx, db.dialect, 'notify-alerts');
    const ndb = withNotifyTables(trx);
    const open = await ndb.selectFrom('notify_alerts').selectAll().where('resolved_at', 'is', null).execute();
    const openKeys = new Set(open.map((a) => a.key));
    const holding = new Map(conditions.map((c) => [c.key, c]));
    const messages: string[] = [];
    const changes: AlertChanges = { opened: [], resolved: [] };
    for (const c of holding.values()) {
      if (openKeys.has(c.key)) continue;
      await ndb
        .insertInto('notify_alerts')
        .values({
          key: c.key,
          kind: c.kind,
          subject: c.subject,
          detail: c.detail,
          opened_at: now,
          resolved_at: null,
        })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ subject: c.subject, detail: c.detail, opened_at: now, resolved_at: null }),
        )
        .execute();
      messages.push(`🚨 <b>Alert</b>: ${c.subject}\n${c.detail}`);
      changes.opened.push(c.key);
    }
    for (const a of open) {
      if (holding.has(a.key)) continue;
      await ndb.updateTable('notify_alerts').set({ resolved_at: now }).where('key', '=', a.key).execute();
      messages.push(`✅ <b>Resolved</b>: ${a.subject}`);
      changes.resolved.push(a.key);
    }
    if (messages.length > 0) {
      await ndb
        .insertInto('notify_deliveries')
        .values(
          messages.map((text) => ({
            bot_id: settings.botId,
            kind: 'alert' as const,
            chat_id: settings.chatId,
            text,
            due_at: sendAt,
            created_at: sendAt,
          })),
        )
        .execute();
    }
    return changes;
  });
}
