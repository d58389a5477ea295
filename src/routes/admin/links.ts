/**
 * `/api/admin/links`: the Link Generator. Lists the sources and brands to choose from, writes the
 * postback URLs for a source, a brand and event types (with the source's key, so admins only and
 * never cached), and fires a test postback: the URL with its placeholders filled by sample values
 * and `test=1`, sent through the real `/postback/<slug>` route (an in-process HTTP request), so the
 * verdict is exactly what the network would get. The test is audited, without the key.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../../access/audit.js';
import { actorOf } from '../../access/guards.js';
import type { AppContext } from '../../context.js';
import type { SourceRow } from '../../db/schema.js';
import { EVENT_TYPES, type EventType, isEventType } from '../../domain.js';
import { AppError, StorageUnavailableError } from '../../errors.js';
import {
  SIGNATURE_HEADER,
  signingPayload,
  signPayload,
  TIMESTAMP_HEADER,
} from '../../ingest/authenticate-source.js';
import { compileSource } from '../../sources/compiled-source.js';
import {
  buildPostbackLinks,
  LinkError,
  linkUrl,
  type PostbackLink,
  platformProfile,
  sampleValues,
  sentValues,
  testPostbackPath,
} from '../../sources/postback-links.js';
import { listSources } from '../../sources/source-service.js';
import type { PlatformTemplate } from '../../sources/template-types.js';
import { getTemplate } from '../../sources/templates.js';
import type { VerdictBody } from '../postback/verdict-reply.js';

const BRAND_RE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const BRAND_RULE = 'brand must be a slug: lower-case letters, digits, ".", "-" or "_", up to 64';

const sourceField = z
  .string({ error: 'choose a source' })
  .trim()
  .toLowerCase()
  .min(1, 'choose a source')
  .max(64, 'source must be at most 64 characters');
const brandField = z
  .string({ error: 'choose a brand' })
  .trim()
  .toLowerCase()
  .min(1, 'choose a brand')
  .regex(BRAND_RE, BRAND_RULE);

const linksQuery = z.object({
  source: sourceField,
  brand: brandField,
  types: z.string().max(200, 'too many types').optional(),
});

const testBody = z.object({
  source: sourceField,
  brand: brandField,
  type: z
    .string({ error: 'choose an event type' })
    .trim()
    .toUpperCase()
    .pipe(z.enum(EVENT_TYPES, { error: 'type must be one of CLICK, REG, FTD, DEP, REDEP, CPA' })),
});

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('bad_request', issue?.message ?? 'invalid request', {
      field: issue?.path.join('.') || undefined,
    });
  }
  return parsed.data;
}

/** `REG,ftd` -> ['REG', 'FTD']; empty -> null (the platform's own postback types). */
function parseTypes(text: string | undefined): EventType[] | null {
  const words = (text ?? '')
    .split(',')
    .map((w) => w.trim().toUpperCase())
    .filter((w) => w !== '');
  if (words.length === 0) return null;
  const unknown = words.find((w) => !isEventType(w));
  if (unknown !== undefined)
    throw new AppError('bad_request', `unknown event type "${unknown.slice(0, 20)}"`, { field: 'types' });
  return EVENT_TYPES.filter((t) => words.includes(t));
}

async function findSource(ctx: AppContext, slug: string): Promise<SourceRow> {
  const row = await ctx.db.kysely
    .selectFrom('sources')
    .selectAll()
    .where('slug', '=', slug)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', `no source "${slug}"`, { field: 'source' });
  return row;
}

function templateOf(row: SourceRow): PlatformTemplate {
  const template = getTemplate(row.template) ?? getTemplate('generic');
  if (!template) throw new AppError('internal', 'the generic template is missing');
  return template;
}

/** A source as the generator shows it: never its key. */
function publicSource(row: SourceRow) {
  const template = templateOf(row);
  return {
    slug: row.slug,
    name: row.name,
    template: template.id,
    templateName: template.name,
    active: row.is_active === 1,
    authMode: row.auth_mode,
    urlPerEvent: template.urlPerEvent,
    postbackTypes: platformProfile(template.id).postbackTypes,
    notes: template.notes,
  };
}

async function brandState(ctx: AppContext, slug: string) {
  const row = await ctx.db.kysely
    .selectFrom('brands')
    .select(['slug', 'is_blocked', 'alias_of'])
    .where('slug', '=', slug)
    .executeTakeFirst();
  return { slug, known: row !== undefined, blocked: row?.is_blocked === 1 };
}

function sourceWarnings(row: SourceRow, brand: { slug: string; known: boolean; blocked: boolean }): string[] {
  const warnings: string[] = [];
  if (row.is_active !== 1) warnings.push(`Source ${row.name} is inactive: its postbacks are refused.`);
  if (row.auth_mode === 'hmac')
    warnings.push(
      `Source ${row.name} authenticates by signature: the URLs carry no key, and the platform must send ` +
        `${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} headers (docs/postbacks.md).`,
    );
  if (brand.blocked) warnings.push(`Brand ${brand.slug} is blocked: its postbacks are refused.`);
  else if (!brand.known)
    warnings.push(
      `Brand ${brand.slug} has no events yet: it appears with its first accepted event (a test postback creates it).`,
    );
  return warnings;
}

function buildLinks(row: SourceRow, brand: string, types: readonly EventType[]): PostbackLink[] {
  try {
    return buildPostbackLinks(compileSource(row), templateOf(row), brand, types);
  } catch (error) {
    if (error instanceof LinkError) throw new AppError('bad_request', error.message, { field: error.field });
    throw error;
  }
}

const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

/** A short id unique to one test postback: its transaction and player ids carry it. */
function testId(now: number): string {
  return `${now.toString(36)}${randomBytes(3).toString('hex')}`;
}

export async function adminLinkRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const baseUrl = ctx.config.publicBaseUrl;

  app.get('/api/admin/links/options', async () => {
    const [sources, brands] = await Promise.all([
      listSources(ctx.db),
      ctx.db.kysely
        .selectFrom('brands')
        .select(['slug', 'name', 'is_blocked'])
        .where('alias_of', 'is', null)
        .orderBy('slug')
        .limit(5000)
        .execute(),
    ]);
    return {
      baseUrl,
      sources: sources.map(publicSource),
      brands: brands.map((b) => ({ slug: b.slug, name: b.name, blocked: b.is_blocked === 1 })),
    };
  });

  app.get('/api/admin/links', async (request, reply) => {
    noStore(reply);
    const query = parse(linksQuery, request.query);
    const row = await findSource(ctx, query.source);
    const source = publicSource(row);
    const types = parseTypes(query.types) ?? [...source.postbackTypes];
    const brand = await brandState(ctx, query.brand);
    const links = buildLinks(row, brand.slug, types);
    return {
      baseUrl,
      source,
      brand,
      types,
      warnings: sourceWarnings(row, brand),
      links: links.map((link) => ({
        id: link.shared ? 'all' : (link.types[0] ?? 'all'),
        types: link.types,
        shared: link.shared,
        url: linkUrl(baseUrl, row.slug, link),
        params: link.params,
        warnings: link.warnings,
      })),
    };
  });

  app.post('/api/admin/links/test', async (request, reply) => {
    noStore(reply);
    const body = parse(testBody, request.body);
    const type = body.type;
    const row = await findSource(ctx, body.source);
    const [link] = buildLinks(row, body.brand, [type]);
    if (!link) throw new AppError('internal', 'no link was built');
    const source = compileSource(row);
    const now = Date.now();
    const samples = sampleValues(type, source, templateOf(row), testId(now), Math.floor(now / 1000));
    const path = testPostbackPath(row.slug, link, samples, source);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': 'AFFPanel Link Generator (test postback)',
    };
    if (row.auth_mode === 'hmac') {
      const timestamp = String(Math.floor(now / 1000));
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = signPayload(row.secret_key, signingPayload(timestamp, 'GET', path, null));
    }
    // The real endpoint, in process: the same route, hooks and pipeline a network's request goes through.
    // It comes from this server (127.0.0.1), which a source's IP allow-list would refuse; it is sent
    // as from the list's first address instead, and the answer says so.
    const allowed = source.allowlist[0]?.[0].toString() ?? null;
    const answer = await app.inject({
      method: 'GET',
      url: path,
      headers,
      ...(allowed ? { remoteAddress: allowed } : {}),
    });
    if (answer.statusCode === 503) throw new StorageUnavailableError();
    const verdict = answer.json<VerdictBody>();
    const sent = sentValues(link, samples);
    const result = {
      status: verdict.status,
      httpStatus: answer.statusCode,
      eventId: verdict.event_id ?? null,
      code: verdict.code ?? null,
      reason: verdict.reason ?? null,
      field: verdict.field ?? null,
    };
    const ids = { transactionId: sent.transaction_id ?? null, playerId: sent.external_uid ?? null };
    await recordAudit(ctx.db.kysely, actorOf(request), {
      action: 'link.test_postback',
      targetType: 'source',
      targetId: row.id,
      after: { source: row.slug, brand: body.brand, type, ...ids, verdict: result },
    });
    return {
      source: row.slug,
      brand: body.brand,
      type,
      verdict: result,
      ...ids,
      sent,
      url: `${baseUrl}${path}`,
      /** The sender address the test used when the source has an IP allow-list, else null. */
      senderIp: allowed,
    };
  });
}
