/**
 * `GET /api/v1/live`: new events pushed as Server-Sent Events, so the dashboard feed and the event
 * log follow arrivals without polling. Access `reader` (a session or an API token), checked by the
 * access hook before this handler runs; the stream then re-checks the credential every minute.
 *
 * Only requests that accept `text/event-stream` are served (400 otherwise; HEAD gets the headers).
 * The handler validates, takes a place in the process's LiveHub (503 when full), and only then
 * hijacks the reply to write the stream itself: fastify's reply would wait for a body that never
 * ends. Streams are ended in `preClose`, before fastify waits for open connections, so a graceful
 * shutdown never hangs on them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateApiToken } from '../../access/api-clients.js';
import type { Caller } from '../../access/guards.js';
import { loadSession, SESSION_COOKIE } from '../../access/sessions.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { liveFilterOf, liveQuery } from '../../live/live-filter.js';
import { LIVE_DEFAULTS, LiveHub, type LiveSink } from '../../live/live-hub.js';
import { parseLastEventId, sseComment, sseRetry } from '../../live/sse.js';
import { parseWith } from '../analytics/parse.js';

/** How long a browser waits before reconnecting after the stream ends. */
const RETRY_MS = 3_000;
const EVENT_STREAM = 'text/event-stream; charset=utf-8';

/**
 * Only a client that asks for an event stream gets one (EventSource always does): a plain GET (a
 * script, a prefetch, a link checker) would otherwise hold a stream place while waiting forever
 * for a body that never ends.
 */
function requireEventStreamAccept(request: FastifyRequest): void {
  if (!/\btext\/event-stream\b/i.test(request.headers.accept ?? ''))
    throw new AppError(
      'bad_request',
      'this route streams Server-Sent Events: send Accept: text/event-stream',
      {
        field: 'accept',
      },
    );
}

function callerKey(caller: Caller | null): string {
  if (caller?.kind === 'user') return `user:${caller.user.id}`;
  if (caller?.kind === 'client') return `client:${caller.client.id}`;
  throw new AppError('unauthorized', 'authentication required: log in or send a valid bearer token');
}

/** Re-runs the access rules on the credential the stream was opened with (sessions slide as usual). */
function credentialCheck(ctx: AppContext, request: FastifyRequest): () => Promise<boolean> {
  const caller = request.caller;
  if (caller?.kind === 'client') {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    return async () => (await authenticateApiToken(ctx.db, token)) !== null;
  }
  const cookie = request.cookies[SESSION_COOKIE] ?? '';
  const policy = { idleMs: ctx.config.access.sessionIdleMs, maxMs: ctx.config.access.sessionMaxMs };
  return async () => {
    const loaded = await loadSession(ctx.db, cookie, policy);
    return loaded !== null && loaded.user.status === 'approved' && loaded.user.is_active === 1;
  };
}

function responseSink(reply: FastifyReply): LiveSink {
  const res = reply.raw;
  return {
    write: (frame) => {
      if (!res.writableEnded && !res.destroyed) res.write(frame);
    },
    buffered: () => res.writableLength,
    end: () => {
      if (!res.writableEnded) res.end();
    },
  };
}

/** The headers fastify would have sent (e.g. the access hook's rate-limit headers), as plain values. */
function pendingHeaders(reply: FastifyReply): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

export async function liveRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const hub = new LiveHub(ctx.db, app.log, LIVE_DEFAULTS);
  app.addHook('preClose', async () => {
    hub.close();
  });

  app.get('/api/v1/live', async (request, reply) => {
    requireEventStreamAccept(request);
    const query = parseWith(liveQuery, request.query);
    const lastEventId = parseLastEventId(
      request.headers['last-event-id'] ?? (request.query as Record<string, unknown>).last_event_id,
    );
    if (request.method === 'HEAD') return reply.type(EVENT_STREAM).send();
    const sink = responseSink(reply);
    const sub = hub.admit({
      caller: callerKey(request.caller),
      filter: liveFilterOf(query),
      sink,
      stillAllowed: credentialCheck(ctx, request),
    });
    reply.raw.on('close', () => hub.remove(sub));

    reply.hijack();
    reply.raw.writeHead(200, {
      ...pendingHeaders(reply),
      'content-type': EVENT_STREAM,
      'cache-control': 'no-cache, no-transform',
      // Proxies such as nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    reply.raw.write(sseRetry(RETRY_MS) + sseComment('connected'));

    try {
      await hub.start(sub, lastEventId);
    } catch (error) {
      request.log.warn({ err: error }, 'live: could not start the stream');
      hub.remove(sub);
      sink.end();
    }
  });
}
