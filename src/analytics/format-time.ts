/**
 * Fast text forms of epoch milliseconds for exports, which format millions of times in time order:
 * the date part is built once per day and the zone offset once per quarter hour, the rest is
 * arithmetic. Each formatter gives exactly what the obvious code gives (`Date#toISOString`, or
 * Intl in the zone); the unit tests compare them. Never guesses an offset: it is read from Intl at
 * both ends of each quarter hour, and a quarter hour whose ends differ (a transition falls inside
 * it, which need not be on a quarter hour: St. John's changed at 00:01 local until 2011) has each
 * instant's offset read on its own.
 */

const DAY_MS = 86_400_000;
const SLOT_MS = 900_000;

const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const three = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** HH:MM:SS of a time of day given in ms since midnight. */
function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}

/** Day-prefix cache: `YYYY-MM-DD` plus `sep`, rebuilt only when the day changes. */
function dayPrefixes(sep: string): (day: number) => string {
  let last = Number.NaN;
  let prefix = '';
  return (day) => {
    if (day !== last) {
      last = day;
      prefix = `${new Date(day * DAY_MS).toISOString().slice(0, 10)}${sep}`;
    }
    return prefix;
  };
}

/** Epoch ms -> `2026-11-26T12:34:56.789Z`, the same text as `new Date(t).toISOString()`. */
export function isoFormatter(): (t: number) => string {
  const prefixOf = dayPrefixes('T');
  return (t) => {
    const day = Math.floor(t / DAY_MS);
    const ms = t - day * DAY_MS;
    return `${prefixOf(day)}${clock(ms)}.${three(ms % 1000)}Z`;
  };
}

/** Epoch ms -> wall-clock time in an IANA zone, `2026-11-26 13:34:56`. */
export function localFormatter(timeZone: string): (t: number) => string {
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  /** The zone's offset at `t`, in ms (Intl gives whole seconds: `t` is read at its second). */
  const offsetAt = (t: number): number => {
    const second = Math.floor(t / 1000) * 1000;
    const p = Object.fromEntries(fmt.formatToParts(second).map((x) => [x.type, x.value]));
    const wall = Date.UTC(
      Number(p.year),
      Number(p.month) - 1,
      Number(p.day),
      Number(p.hour),
      Number(p.minute),
      Number(p.second),
    );
    return wall - second;
  };
  const offsets = new Map<number, number>();
  const prefixOf = dayPrefixes(' ');
  let lastSlot = Number.NaN;
  let offset = 0;
  return (t) => {
    const slot = Math.floor(t / SLOT_MS);
    if (slot !== lastSlot) {
      lastSlot = slot;
      const known = offsets.get(slot);
      if (known === undefined) {
        const start = offsetAt(slot * SLOT_MS);
        // NaN: the offset changes within this quarter hour.
        offset = offsetAt((slot + 1) * SLOT_MS - 1) === start ? start : Number.NaN;
        if (offsets.size >= 10_000) offsets.clear();
        offsets.set(slot, offset);
      } else offset = known;
    }
    const wall = t + (Number.isNaN(offset) ? offsetAt(t) : offset);
    const day = Math.floor(wall / DAY_MS);
    return `${prefixOf(day)}${clock(wall - day * DAY_MS)}`;
  };
}
