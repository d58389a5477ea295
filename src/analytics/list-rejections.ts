/**
 * The stored rejected postbacks, newest first (by last attempt), with reasons; filters period,
 * source, brand (the slug the postback named), reason code; paged by keyset on (last_seen_at, id) through the last_seen index. The
 * source filter matches the slug the postback was sent to, so rejections for a slug that is no
 * registered source (a typo in a network's URL) can be found too.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.js';
import { reprocessable } from '../ingest/reprocessable.js';

export async function listRejections(
  db: Db,
  range: { from: number; to: number },
  opts: {
    sourceSlugs: string[] | null;
    brandSlugs?: string[] | null;
    code: string | null;
    limit: number;
    before: { at: number; id: number } | null;
  },
) {
  let q = db.kysely
    .selectFrom('rejections')
    .selectAll()
    .where('last_seen_at', '>=', range.from)
    .where('last_seen_at', '<', range.to);
  if (opts.sourceSlugs !== null && opts.sourceSlugs.length > 0)
    q = q.where(
      sql`lower(source_slug)`,
      'in',
      opts.sourceSlugs.map((s) => s.toLowerCase()),
    );
  if (opts.brandSlugs && opts.brandSlugs.length > 0)
    q = q.where(
      sql`lower(trim(brand_slug))`,
      'in',
      opts.brandSlugs.map((s) => s.trim().toLowerCase()),
    );
  if (opts.code !== null) q = q.where('reason_code', '=', opts.code);
  const before = opts.before;
  if (before !== null)
    q = q.where((eb) =>
      eb.or([
        eb('last_seen_at', '<', before.at),
        eb.and([eb('last_seen_at', '=', before.at), eb('id', '<', before.id)]),
      ]),
    );
  const rows = await q.orderBy('last_seen_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
  const last = rows.at(-1);
  return {
    rows: rows.map((r) => ({
      id: Number(r.id),
      first_seen_at: new Date(Number(r.first_seen_at)).toISOString(),
      last_seen_at: new Date(Number(r.last_seen_at)).toISOString(),
      attempts: Number(r.attempts),
      source: r.source_slug,
      brand: r.brand_slug,
      code: r.reason_code,
      reason: r.reason,
      field: r.field,
      method: r.method,
      raw_query: r.raw_query,
      raw_body: r.raw_body,
      ip: r.ip,
      user_agent: r.user_agent,
      /** Whether an admin can send it through again (POST /api/admin/rejections/:id/reprocess). */
      reprocessable: reprocessable({ ...r, source_id: r.source_id === null ? null : Number(r.source_id) }),
    })),
    next: rows.length === opts.limit && last ? `${Number(last.last_seen_at)}_${Number(last.id)}` : null,
  };
}
