/**
 * `GET|POST /postback/{source}` on node:http directly, ahead of fastify's router.
 *
 * A postback is the one request that arrives thousands of times a second. Through fastify it paid
 * for routing, the cookie and access hooks, a child logger and the reply pipeline: about twice what
 * the pipeline itself costs on the HTTP thread. Here it runs the same pipeline (`ingestor.ingest`)
 * and answers through the same `verdictAnswer` as the fastify route in `index.ts`, which stays for
 * `app.inject` (tests) and the route table. `fast-path.test.ts` holds the two to the same answers.
 *
 * Anything this does not recognise as a postback (another path or method, a source segment it
 * cannot decode) returns false untouched and goes to fastify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import { capturePostbackParts, POSTBACK_PATH } from './index.js';
import { JSON_TYPE, verdictAnswer } from './verdict-reply.js';

/** find-my-way's default: longer parameters are not routed (fastify answers 404). */
const MAX_PARAM_LENGTH = 100;

export interface FastPathOptions {
  ctx: AppContext;
  log: FastifyBaseLogger;
  /** True once the server is shutting down: new postbacks get 503, answers close the connection. */
  closing: () => boolean;
  /** Redacts secrets from a URL before it is logged. */
  redactUrl: (url: string) => string;
}

/** The source segment of a postback URL, or null when the URL is not `/postback/{one segment}`. */
export function postbackSource(url: string): string | null {
  if (!url.startsWith(POSTBACK_PATH)) return null;
  const q = url.indexOf('?');
  const segment = url.slice(POSTBACK_PATH.length, q === -1 ? undefined : q);
  if (segment === '' || segment.includes('/') || segment.length > MAX_PARAM_LENGTH) return null;
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The client address as fastify reports it: with a trusted proxy, the first X-Forwarded-For hop. */
function clientIp(req: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? null;
}

function answer(
  res: ServerResponse,
  closing: boolean,
  status: number,
  contentType: string,
  payload: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const all: Record<string, string | number> = {
    'content-type': contentType,
    'content-length': Buffer.byteLength(payload),
    ...headers,
  };
  if (closing) all.connection = 'close';
  res.writeHead(status, all);
  res.end(payload);
}

function answerError(res: ServerResponse, closing: boolean, error: AppError): void {
  answer(res, closing, error.status, JSON_TYPE, JSON.stringify(error.toBody()), error.headers);
}

/** Reads the body as text (UTF-8, like fastify's string parser), or null when over the limit. */
function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Returns the request handler to put in front of fastify's: true when it took the request. */
export function makePostbackFastPath(options: FastPathOptions) {
  const { ctx, log, closing, redactUrl } = options;
  const { bodyLimit } = ctx.config.ingest;
  const trustProxy = ctx.config.trustProxy;

  async function run(req: IncomingMessage, res: ServerResponse, url: string, source: string): Promise<void> {
    if (closing()) {
      answerError(
        res,
        true,
        new AppError('unavailable', 'the server is shutting down, retry later', {
          headers: { 'retry-after': '5' },
        }),
      );
      return;
    }
    let body: string | null = null;
    if (req.method === 'POST') {
      body = await readBody(req, bodyLimit);
      if (body === null) {
        // Unread bytes may still be on the socket: answer, then close it.
        answerError(res, true, new AppError('payload_too_large', 'Request body is too large'));
        return;
      }
    }
    const verdict = await ctx.ingestor.ingest(
      capturePostbackParts(
        { method: req.method as string, url, headers: req.headers, body, ip: clientIp(req, trustProxy) },
        source,
      ),
    );
    const reply = verdictAnswer(verdict, req.headers.accept);
    answer(res, closing(), reply.httpStatus, reply.contentType, reply.payload);
  }

  return function postbackFastPath(req: IncomingMessage, res: ServerResponse): boolean {
    const method = req.method;
    if (method !== 'GET' && method !== 'POST') return false;
    const url = req.url ?? '';
    const source = postbackSource(url);
    if (source === null) return false;
    run(req, res, url, source).catch((error: unknown) => {
      if (error instanceof AppError) {
        if (error.status >= 500) log.error({ err: error.cause ?? error, url: redactUrl(url) }, error.message);
        answerError(res, closing(), error);
        return;
      }
      log.error({ err: error, method, url: redactUrl(url) }, 'request failed');
      answerError(res, closing(), new AppError('internal', 'internal error'));
    });
    return true;
  };
}
