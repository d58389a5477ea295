/**
 * Times the naive summary — a GROUP BY over the period's raw events, what the rollups replace —
 * in a process of its own, so the memory its full scans leave behind (SQLite's in-memory temp
 * B-trees and page cache, freed to the allocator but not to the system) is not counted in the
 * bench process's RSS. Reads `{ from, to, calls }` as JSON on stdin, prints `{ median_ms }`.
 *
 *   echo '{"from":0,"to":1,"calls":3}' | DATABASE_URL=… node bench/lib/naive-summary.mjs
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { connect } from '../../dist/db/connect.js';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { from, to, calls } = JSON.parse(input);
const db = connect(process.env.DATABASE_URL);
const once = () =>
  sql`select type, currency, count(*) as n, sum(amount_micros) as a from events
      where occurred_at >= ${from} and occurred_at < ${to} and is_test = 0 group by type, currency`.execute(
    db.kysely,
  );
try {
  for (let i = 0; i < 2; i++) await once();
  const ms = [];
  for (let i = 0; i < calls; i++) {
    const s = performance.now();
    await once();
    ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({ median_ms: ms[Math.floor((ms.length - 1) / 2)] })}\n`);
} finally {
  await db.close();
}
