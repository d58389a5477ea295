/**
 * Resource sampling from /proc (Linux): the resident memory of a process (VmRSS) every few hundred
 * milliseconds, and CPU time of processes and of the whole machine, so a run can say where the
 * two cores went (server, wrk, everything else).
 */
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ: 100 on every Linux we run on (getconf CLK_TCK)

/** VmRSS of `pid` in kB, or null once the process is gone. */
export function readRssKb(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) used so far by `pid` itself (its threads included), or null. */
export function readProcCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name in parentheses; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/** Machine-wide CPU seconds: busy (everything but idle and iowait) and total, all cores summed. */
export function readMachineCpu() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = v[3] + (v[4] ?? 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

/**
 * Samples the RSS of `pid` every `intervalMs` until stop(). `mark()` starts a window (e.g. the
 * load phase), so both the lifetime maximum and the window's maximum are known.
 */
export function sampleRss(pid, intervalMs = 500) {
  let max = 0;
  let windowMax = 0;
  let inWindow = false;
  let samples = 0;
  const take = () => {
    const kb = readRssKb(pid);
    if (kb === null) return;
    samples++;
    if (kb > max) max = kb;
    if (inWindow && kb > windowMax) windowMax = kb;
  };
  take();
  const timer = setInterval(take, intervalMs);
  timer.unref();
  return {
    mark() {
      inWindow = true;
      take();
    },
    unmark() {
      take();
      inWindow = false;
    },
    stop() {
      take();
      clearInterval(timer);
      return { maxMb: max / 1024, windowMaxMb: windowMax / 1024, samples };
    },
  };
}

/** CPU seconds of this process's children that have exited and been reaped (cutime + cstime). */
export function readReapedChildrenCpuSeconds() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLK_TCK;
}

/**
 * CPU accounting over a load window: start() before wrk starts, end() after wrk has exited (it is
 * then reaped, so its CPU shows in this process's children time) and while the server still runs.
 * Percentages are of ONE core: 200 % is both cores of a 2-core machine.
 */
export function cpuWindow(serverPid, dbPids = null) {
  let t0 = 0;
  let machine0 = null;
  let server0 = 0;
  let main0 = 0;
  let children0 = 0;
  // The main thread's own time (its task id is the process id): the HTTP thread, without the
  // writer thread, GC helpers or libuv's pool.
  const mainThreadCpu = () => readProcCpuSeconds(`${serverPid}/task/${serverPid}`);
  const db0 = new Map();
  const dbCpu = (into) => {
    for (const pid of dbPids?.() ?? []) {
      const s = readProcCpuSeconds(pid);
      if (s !== null) into.set(pid, s);
    }
    return into;
  };
  return {
    start() {
      t0 = performance.now();
      machine0 = readMachineCpu();
      server0 = readProcCpuSeconds(serverPid) ?? 0;
      main0 = mainThreadCpu() ?? 0;
      children0 = readReapedChildrenCpuSeconds();
      dbCpu(db0);
    },
    end() {
      const wall = (performance.now() - t0) / 1000;
      const machine = readMachineCpu();
      const server = (readProcCpuSeconds(serverPid) ?? server0) - server0;
      const mainThread = (mainThreadCpu() ?? main0) - main0;
      const wrk = readReapedChildrenCpuSeconds() - children0;
      // Database processes seen now; one that started during the window counts from 0.
      let db = 0;
      for (const [pid, s] of dbCpu(new Map())) db += s - (db0.get(pid) ?? 0);
      const busy = machine.busy - machine0.busy;
      const pct = (s) => Math.round((s / wall) * 100);
      return {
        server_cpu_pct: pct(server),
        server_main_thread_cpu_pct: pct(mainThread),
        server_main_thread_cpu_s: Math.round(mainThread * 100) / 100,
        wrk_cpu_pct: pct(wrk),
        ...(dbPids ? { db_cpu_pct: pct(db) } : {}),
        other_cpu_pct: Math.max(0, pct(busy - server - wrk - db)),
        machine_cpu_pct: pct(busy),
        window_s: Math.round(wall * 10) / 10,
      };
    },
  };
}

/** A process and all its direct children (e.g. a postmaster and its backends), by /proc scan. */
export function processAndChildren(pid) {
  const out = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const m = /^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      if (m && Number(m[1]) === pid) out.push(Number(entry));
    } catch {}
  }
  return out;
}

/**
 * Waits (at most `maxWaitMs`) until the machine has been nearly idle for one second: busy CPU
 * below `thresholdPct` of one core. Benchmarks on a 2-core box are easily skewed by a build or a
 * test suite running beside them. Resolves with the last measured busy % and the time waited.
 */
export async function waitForQuietMachine({ thresholdPct = 25, maxWaitMs = 60_000 } = {}) {
  const t0 = performance.now();
  for (;;) {
    const a = readMachineCpu();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const b = readMachineCpu();
    const busyPct = Math.round(
      ((b.busy - a.busy) / Math.max(0.001, b.total - a.total)) * 100 * availableCores(),
    );
    const waitedMs = Math.round(performance.now() - t0);
    if (busyPct < thresholdPct) return { busyPct, waitedMs, quiet: true };
    if (waitedMs >= maxWaitMs) return { busyPct, waitedMs, quiet: false };
  }
}

function availableCores() {
  return (
    readFileSync('/proc/stat', 'utf8')
      .split('\n')
      .filter((l) => /^cpu\d+ /.test(l)).length || 1
  );
}
