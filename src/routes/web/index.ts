/**
 * Serves the web panel built into `web/dist` (`npm run build`): hashed assets with a year of
 * caching (pre-compressed .br/.gz siblings when the client accepts them), and `index.html` for
 * any other GET that accepts HTML, so the panel's own routes (/events, /brands/x, …) load on a
 * direct visit. It never answers for the server's own paths: an unknown /api, /auth or
 * /postback path, or a request that does not want HTML, gets the ordinary JSON 404.
 * The panel is public shell only; every figure in it comes from the access-checked API.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Paths that belong to the server, never to the panel. */
const SERVER_PATHS = /^\/(?:api|auth|postback)(?:\/|$)|^\/(?:healthz|readyz)$/;

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AFFPanel</title></head>
<body style="background:#0b0e14;color:#dde3ec;font-family:system-ui,sans-serif;padding:40px">
<h1>AFFPanel</h1><p>The web panel is not built. Run <code>npm run build</code> (or <code>npm start</code>, which builds first).</p>
</body></html>`;

export interface WebRoutesOptions {
  /** The built panel; default `web/dist` of this checkout. */
  root?: string;
}

function defaultRoot(): string {
  // dist/routes/web/index.js and src/routes/web/index.ts both sit three levels below the root.
  return fileURLToPath(new URL('../../../web/dist/', import.meta.url));
}

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}

/** The file under `root` a URL path names, or null when there is none (or the path is unsafe). */
function assetFile(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.split(/[\\/]/).includes('..')) return null;
  const relative = normalize(decoded).replace(/^[\\/]+/, '');
  if (relative === '' || relative === 'index.html') return null;
  const full = join(root, relative);
  if (!full.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) return null;
  try {
    return statSync(full).isFile() ? relative : null;
  } catch {
    return null;
  }
}

export async function webRoutes(app: FastifyInstance, options: WebRoutesOptions = {}): Promise<void> {
  const root = normalize(options.root ?? defaultRoot());
  const built = existsSync(join(root, 'index.html'));
  if (built) await app.register(fastifyStatic, { root, serve: false, preCompressed: true });

  async function sendIndex(reply: FastifyReply) {
    if (!built) return reply.code(404).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.sendFile('index.html', root, { cacheControl: false }).header('cache-control', 'no-cache');
  }

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (SERVER_PATHS.test(path)) return reply.callNotFound();
    if (built) {
      const file = assetFile(root, path);
      if (file !== null) {
        const hashed = file.startsWith(`assets${sep}`) || file.startsWith('assets/');
        return reply.sendFile(file, root, hashed ? { maxAge: '365d', immutable: true } : { maxAge: 0 });
      }
    }
    if (!wantsHtml(request)) return reply.callNotFound();
    return sendIndex(reply);
  };

  app.get('/', serve);
  app.get('/*', serve);
}
