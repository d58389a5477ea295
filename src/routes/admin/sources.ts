/**
 * `/api/admin/sources`: the affiliate networks postbacks are recorded against — list, the built-in
 * templates (so the form can show their default mappings), add, edit, rotate the key. Admins only.
 * The full key is in the answer to a create or a rotation and nowhere else: lists show its first
 * characters. The service audits every change; the directory is refreshed after each, so the
 * postback path sees it at once.
 */
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../access/guards.js';
import type { AppContext } from '../../context.js';
import type { SourceRow } from '../../db/schema.js';
import { CANONICAL_FIELDS, EVENT_TYPES, type EventType } from '../../domain.js';
import {
  auditedSource,
  createSource,
  endSourceKeyGrace,
  listSources,
  postbackUrl,
  rotateSourceKey,
  updateSource,
} from '../../sources/source-service.js';
import type { PlatformTemplate } from '../../sources/template-types.js';
import { BUILT_IN_TEMPLATES } from '../../sources/templates.js';

/** How many characters of a key the panel shows, as for API client tokens. */
const KEY_PREFIX_LENGTH = 8;

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function publicSource(row: SourceRow, publicBaseUrl: string, now = Date.now()) {
  const validUntil = (ms: number | null) => (ms !== null && Number(ms) > now ? iso(ms) : null);
  return {
    id: Number(row.id),
    ...auditedSource(row),
    keyPrefix: row.secret_key.slice(0, KEY_PREFIX_LENGTH),
    previousKeyValidUntil: validUntil(row.previous_key_expires_at),
    /** The key before the previous one, after a second rotation inside the grace period. */
    olderKeyValidUntil: validUntil(row.older_key_expires_at),
    lagWarningMinutes: row.lag_warning_minutes,
    lagErrorMinutes: row.lag_error_minutes,
    postbackBase: `${publicBaseUrl}/postback/${encodeURIComponent(row.slug)}`,
    createdAt: iso(row.created_at) ?? '',
    updatedAt: iso(row.updated_at) ?? '',
  };
}

/** A template as the form shows it: names per field, event words grouped by type. */
function publicTemplate(template: PlatformTemplate) {
  const events = Object.fromEntries(EVENT_TYPES.map((type) => [type, [] as string[]])) as Record<
    EventType,
    string[]
  >;
  for (const [word, type] of Object.entries(template.events)) events[type].push(word);
  return {
    id: template.id,
    name: template.name,
    macroSyntax: template.macroSyntax,
    urlPerEvent: template.urlPerEvent,
    params: Object.fromEntries(CANONICAL_FIELDS.map((f) => [f, template.params[f] ?? [f]])),
    events,
    declinedStatuses: template.declinedStatuses,
    lag: template.lag,
    notes: template.notes,
  };
}

export async function adminSourceRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const base = ctx.config.publicBaseUrl;
  const grace = () => ctx.config.keyRotationGraceSeconds;

  app.get('/api/admin/sources', async () => {
    const now = Date.now();
    const rows = await listSources(ctx.db);
    return {
      sources: rows.map((row) => publicSource(row, base, now)),
      keyRotationGraceSeconds: grace(),
    };
  });

  app.get('/api/admin/sources/templates', async () => ({
    templates: BUILT_IN_TEMPLATES.map(publicTemplate),
    fields: CANONICAL_FIELDS,
    eventTypes: EVENT_TYPES,
  }));

  app.post('/api/admin/sources', async (request, reply) => {
    const row = await createSource(ctx.db, request.body, { actor: actorOf(request) });
    await ctx.sources.refresh();
    return reply.code(201).send({
      source: publicSource(row, base),
      key: row.secret_key,
      postbackUrl: postbackUrl(ctx.config, row),
    });
  });

  app.patch<{ Params: { slug: string } }>('/api/admin/sources/:slug', async (request) => {
    const { after } = await updateSource(ctx.db, request.params.slug, request.body, {
      actor: actorOf(request),
    });
    await ctx.sources.refresh();
    return { source: publicSource(after, base) };
  });

  app.post<{ Params: { slug: string } }>('/api/admin/sources/:slug/rotate-key', async (request) => {
    const row = await rotateSourceKey(ctx.db, request.params.slug, grace(), Date.now(), actorOf(request));
    await ctx.sources.refresh();
    return {
      source: publicSource(row, base),
      key: row.secret_key,
      postbackUrl: postbackUrl(ctx.config, row),
      previousKeyValidUntil: iso(row.previous_key_expires_at),
    };
  });

  app.post<{ Params: { slug: string } }>('/api/admin/sources/:slug/end-key-grace', async (request) => {
    const row = await endSourceKeyGrace(ctx.db, request.params.slug, Date.now(), actorOf(request));
    await ctx.sources.refresh();
    return { source: publicSource(row, base) };
  });
}
