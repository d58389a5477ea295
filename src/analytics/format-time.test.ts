import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { isoFormatter, localFormatter } from './format-time.js';

/** The obvious way, one Intl call per value: what localFormatter must always agree with. */
function referenceLocal(timeZone: string): (t: number) => string {
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
  return (t) => {
    const p = Object.fromEntries(fmt.formatToParts(t).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  };
}

const Y2000 = Date.UTC(2000, 0, 1);
const Y2040 = Date.UTC(2040, 0, 1);
const MIN = 60_000;
/** Zones with DST, half- and quarter-hour offsets, and transitions that are not on a UTC hour. */
const ZONES = [
  'UTC',
  'Europe/Madrid',
  'America/New_York',
  'America/St_Johns',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'America/Santiago',
];

/** Instants where the zone's offset changes in `year` (found at quarter-hour steps). */
function transitions(timeZone: string, year: number): number[] {
  const ref = referenceLocal(timeZone);
  const offset = (t: number) => Date.parse(`${ref(t).replace(' ', 'T')}Z`) - t;
  const found: number[] = [];
  let previous = offset(Date.UTC(year, 0, 1));
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 15 * MIN) {
    const now = offset(t);
    if (now !== previous) found.push(t);
    previous = now;
  }
  return found;
}

describe('isoFormatter', () => {
  it('gives the text of Date#toISOString for any instant, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }), { maxLength: 50 }), (ts) => {
        const iso = isoFormatter();
        for (const t of ts) expect(iso(t)).toBe(new Date(t).toISOString());
      }),
      { numRuns: 500 },
    );
  });

  it('keeps day boundaries and milliseconds exact when walking time backwards', () => {
    const iso = isoFormatter();
    const midnight = Date.UTC(2026, 2, 29);
    for (let t = midnight + 2000; t > midnight - 2000; t -= 7) expect(iso(t)).toBe(new Date(t).toISOString());
  });
});

describe('localFormatter', () => {
  it.each(ZONES)('agrees with Intl at random instants in %s', (zone) => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: Y2000, max: Y2040 }), { maxLength: 30 }), (ts) => {
        const local = localFormatter(zone);
        const ref = referenceLocal(zone);
        for (const t of ts) expect(local(t)).toBe(ref(t));
      }),
      { numRuns: 200 },
    );
  });

  it.each(ZONES.filter((z) => z !== 'UTC' && z !== 'Asia/Kathmandu'))(
    'agrees with Intl minute by minute around every 2026 transition in %s',
    (zone) => {
      const found = transitions(zone, 2026);
      expect(found.length).toBeGreaterThan(0);
      const local = localFormatter(zone);
      const ref = referenceLocal(zone);
      for (const at of found)
        for (let t = at + 90 * MIN + 59_999; t >= at - 90 * MIN; t -= MIN - 1)
          expect(local(t), new Date(t).toISOString()).toBe(ref(t));
    },
  );

  it("follows a transition off the quarter hour: St. John's fell back at 00:01 local until 2011", () => {
    const local = localFormatter('America/St_Johns');
    const ref = referenceLocal('America/St_Johns');
    const at = Date.UTC(2000, 9, 29, 2, 31); // 00:01 NDT -> 23:01 NST the day before
    expect(local(at - 1000)).toBe('2000-10-29 00:00:59');
    expect(local(at)).toBe('2000-10-28 23:01:00');
    for (let t = at - 20 * MIN; t <= at + 20 * MIN; t += 7_000)
      expect(local(t), new Date(t).toISOString()).toBe(ref(t));
  });

  it('asks Intl twice per quarter hour without a transition, not once per instant', () => {
    const spy = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    try {
      const local = localFormatter('Europe/Berlin');
      const start = Date.UTC(2026, 5, 1);
      for (let t = start; t < start + 86_400_000; t += 997) local(t); // 96 quarter hours, 86,660 instants
      expect(spy.mock.calls.length).toBe(2 * 96);
    } finally {
      spy.mockRestore();
    }
  });

  it('shows Newfoundland jumping from 01:59:59 to 03:00:00 at 05:30 UTC, mid-hour', () => {
    const local = localFormatter('America/St_Johns');
    const at = Date.UTC(2026, 2, 8, 5, 30);
    expect(local(at - 1000)).toBe('2026-03-08 01:59:59');
    expect(local(at)).toBe('2026-03-08 03:00:00');
  });
});
