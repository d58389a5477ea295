/**
 * The baseline for `npm run bench:ingest`: a bare node:http server that answers every request
 * with 200 {"status":"accepted"} and stores nothing. It measures what Node's HTTP stack and wrk
 * cost on this machine, so the real server's figure can be read as a ratio of it.
 *
 *   node bench/lib/bare-server.mjs [port]   (default 0 = any free port)
 *
 * Listens on 127.0.0.1 only and prints `listening <port>` once it is ready. Stops on SIGTERM/SIGINT.
 */
import { createServer } from 'node:http';

const body = Buffer.from('{"status":"accepted"}');
const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length };

const server = createServer((req, res) => {
  // Drain any request body so keep-alive connections stay usable, then answer.
  req.resume();
  res.writeHead(200, headers);
  res.end(body);
});
server.keepAliveTimeout = 72_000;

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
