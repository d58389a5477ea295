/**
 * The page a browser gets when a login URL it opened fails (a used or expired one-time link, a
 * stale Telegram callback, too many attempts): the same status code and message the JSON answer
 * carries, as a small dark page with a way back to the login page, instead of raw JSON.
 */
import type { FastifyRequest } from 'fastify';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** A browser navigation to one of the `/auth/…` URLs (an API call asks for JSON instead). */
export function wantsAuthErrorPage(request: FastifyRequest): boolean {
  if (request.method !== 'GET' || !request.url.startsWith('/auth/')) return false;
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}

export function authErrorPage(status: number, message: string): string {
  const title = status === 429 ? 'Too many login attempts' : 'This login did not work';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · S2S Galaxy</title>
<style>
body{margin:0;min-height:100vh;display:grid;place-items:center;background:#0b0e14;color:#dde3ec;font:15px/1.5 system-ui,sans-serif}
main{max-width:420px;padding:32px;border:1px solid #232b38;border-radius:12px;background:#11151d}
h1{font-size:18px;margin:0 0 8px}p{margin:0 0 16px;color:#93a0b4}a{color:#7cb4ff}
</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message.charAt(0).toUpperCase() + message.slice(1))}.</p>
<p>Ask an admin for a new one-time link (<code>affpanel user link</code>), or log in with Telegram.</p>
<a href="/login">Go to the login page</a>
</main>
</body>
</html>
`;
}
