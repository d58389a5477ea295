/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time and by total
 * (inclusive) time with file:line, and self time grouped by where the code lives (our dist/,
 * each node_modules package, node internals, GC, idle).
 *
 *   node bench/lib/cpuprofile.mjs <file.cpuprofile> [--top 25]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function shortUrl(url) {
  if (!url) return '';
  let u = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (u.startsWith(ROOT)) u = u.slice(ROOT.length);
  return u.replace(/^.*?node_modules\//, 'node_modules/');
}

function location(frame) {
  const u = shortUrl(frame.url);
  return u ? `${u}:${frame.lineNumber + 1}` : '';
}

function groupOf(frame) {
  const name = frame.functionName;
  if (name === '(garbage collector)' || name === '(idle)' || name === '(program)' || name === '(root)')
    return name;
  const url = frame.url ?? '';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:') || (url && !url.includes('/'))) return 'node internals';
  if (url === '') return '(native/builtin)';
  const file = shortUrl(url);
  if (file.startsWith('dist/')) return `app ${file.split('/').slice(0, 2).join('/')}`;
  return file;
}

/**
 * @returns {{ totalMs: number, self: Array, total: Array, groups: Array }}
 */
export function summariseProfile(profile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfUs = new Map();
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    // timeDeltas[i] is the time before sample i; the sample's own duration is the next delta.
    const dt = Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0);
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  let idleUs = 0;
  for (const [id, us] of selfUs) if (byId.get(id).callFrame.functionName === '(idle)') idleUs += us;
  // Percentages are of the time the process was busy (not idle): where the CPU went.
  const busyUs = Math.max(1, totalUs - idleUs);

  const keyOf = (frame) => `${frame.functionName || '(anonymous)'}\u0000${location(frame)}`;
  const selfBy = new Map();
  const groups = new Map();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id).callFrame;
    const k = keyOf(frame);
    selfBy.set(k, (selfBy.get(k) ?? 0) + us);
    const g = groupOf(frame);
    groups.set(g, (groups.get(g) ?? 0) + us);
  }

  // Inclusive time: each sample counts once for every distinct function on its stack.
  const totalBy = new Map();
  for (const [id, us] of selfUs) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyOf(byId.get(cur).callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      totalBy.set(k, (totalBy.get(k) ?? 0) + us);
    }
  }

  const rows = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => {
        const [fn, loc] = k.split('\u0000');
        return { ms: us / 1000, pct: (us / busyUs) * 100, fn, loc };
      });
  const notIdle = (map) =>
    new Map([...map].filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(root)')));
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    self: rows(notIdle(selfBy)),
    total: rows(notIdle(totalBy)),
    groups: [...groups]
      .filter(([g]) => g !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([g, us]) => ({ group: g, ms: us / 1000, pct: (us / busyUs) * 100 })),
  };
}

export function formatSummary(s, title = 'CPU profile') {
  const line = (r) => `${r.ms.toFixed(0).padStart(8)} ms ${r.pct.toFixed(1).padStart(5)}%  ${r.fn}  ${r.loc}`;
  const out = [
    `${title}: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${(s.busyMs / 1000).toFixed(1)} s busy (not idle); % are of busy time`,
    '',
    'Self time by location:',
  ];
  for (const g of s.groups.slice(0, 20))
    out.push(`${g.ms.toFixed(0).padStart(8)} ms ${g.pct.toFixed(1).padStart(5)}%  ${g.group}`);
  out.push('', `Top ${s.self.length} functions by self time:`, ...s.self.map(line));
  out.push('', `Top ${s.total.length} functions by total (inclusive) time:`, ...s.total.map(line));
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node bench/lib/cpuprofile.mjs <file.cpuprofile> [--top N]\n');
    process.exit(2);
  }
  const i = process.argv.indexOf('--top');
  const top = i > 0 ? Number(process.argv[i + 1]) : 25;
  const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')), top);
  process.stdout.write(`${formatSummary(summary, file)}\n`);
}
