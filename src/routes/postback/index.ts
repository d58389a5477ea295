/**
 * `GET|POST /postback/:source` — the S2S endpoint networks call. Thin: capture the request once,
 * run the ingest pipeline, answer its verdict. Bodies are read as text so the raw request can be
 * kept verbatim; parsing happens in the pipeline's first step.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.js';
import type { RawPostback } from '../../ingest/raw-postback.js';
import { sendVerdict } from './verdict-reply.js';

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

export const POSTBACK_PATH = '/postback/';

/**
 * The URL the router is given (fastify's `rewriteUrl`). A postback's query string is parsed by
 * the ingest pipeline, strictly and once (parse-params.ts); the router's own parse into
 * `request.query` would be thrown away, so for postbacks it gets the path alone. The URL as
 * requested stays in `request.originalUrl`, which is what the pipeline reads.
 */
export function routingUrl(url: string): string {
  if (!url.startsWith(POSTBACK_PATH)) return url;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** What a postback is made of, however it came in (fastify's route or the node:http fast path). */
export interface PostbackRequestParts {
  method: string;
  /** The URL as requested: path and query string. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string | null;
  ip: string | null;
}

export function capturePostbackParts(parts: PostbackRequestParts, sourceSlug: string): RawPostback {
  const { url, headers } = parts;
  const q = url.indexOf('?');
  return {
    sourceSlug,
    method: parts.method,
    rawQuery: q === -1 ? '' : url.slice(q + 1),
    rawBody: parts.body !== null && parts.body !== '' ? parts.body : null,
    contentType: headers['content-type'] ?? null,
    url,
    headers: {
      'x-postback-key': headerText(headers['x-postback-key']),
      'x-api-key': headerText(headers['x-api-key']),
      'x-affpanel-signature': headerText(headers['x-affpanel-signature']),
      'x-affpanel-timestamp': headerText(headers['x-affpanel-timestamp']),
    },
    ip: parts.ip,
    userAgent: headers['user-agent'] ?? null,
    receivedAt: new Date(),
    channel: 'postback',
  };
}

export function capturePostback(request: FastifyRequest, sourceSlug: string): RawPostback {
  const body = request.body;
  return capturePostbackParts(
    {
      method: request.method,
      url: request.originalUrl,
      headers: request.headers,
      body: typeof body === 'string' ? body : null,
      ip: request.ip ?? null,
    },
    sourceSlug,
  );
}

export async function postbackRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'string', bodyLimit: ctx.config.ingest.bodyLimit },
    (_req, body, done) => {
      done(null, body);
    },
  );

  const handler = async (
    request: FastifyRequest<{ Params: { source: string } }>,
    reply: import('fastify').FastifyReply,
  ) => {
    const verdict = await ctx.ingestor.ingest(capturePostback(request, request.params.source));
    return sendVerdict(request, reply, verdict);
  };
  // Per-request logs at info level would cost more than the postback itself; failures still log.
  app.get('/postback/:source', { logLevel: 'warn' }, handler);
  app.post('/postback/:source', { logLevel: 'warn' }, handler);
}
