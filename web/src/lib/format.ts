/**
 * Display formatting: counts with thousands separators, exact money strings with their
 * currency, rates as percentages ("—" when undefined), local times with UTC for the hover.
 * Formatting is fixed to en-US digits so numbers read the same for everyone on the team.
 */
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return integer.format(value);
}

/** A rate (0.1234) as "12.3 %"; null (zero denominator) as "—". */
export function formatRate(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${(value * 100).toFixed(digits)}%`;
}

/** Groups the integer part of an exact decimal string: "1234567.5" → "1,234,567.50". */
export function formatDecimal(amount: string): string {
  const negative = amount.startsWith('-');
  const [whole = '0', fraction = ''] = amount.replace(/^[-+]/, '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const decimals = fraction.length >= 2 ? fraction : fraction.padEnd(2, '0');
  return `${negative ? '-' : ''}${grouped}.${decimals}`;
}

export function formatMoney(amount: string | null, currency: string | null): string {
  if (amount === null) return '—';
  return currency ? `${formatDecimal(amount)} ${currency}` : formatDecimal(amount);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-26 08:57:37" in the browser's zone. */
export function formatLocal(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "2026-11-26 07:57:37 UTC", for the hover title. */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export function formatLocalDate(iso: string): string {
  return formatLocal(iso).slice(0, 10);
}

/** "just now", "5m ago", "3h ago", "2d ago"; a date beyond 30 days. */
export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 0) return 'in future';
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours}h ago`;
  const days = Math.round(hours / 24);
  if (days <= 30) return `${days}d ago`;
  return formatLocalDate(iso);
}

/** Percent change for compare cards: "+12.5%", "new", "—". */
export function formatChangePct(value: number | 'new' | null): string {
  if (value === 'new') return 'new';
  if (value === null || !Number.isFinite(value)) return '—';
  return `${value > 0 ? '+' : ''}${value.toFixed(1)}%`;
}

export function formatSigned(value: number): string {
  return `${value > 0 ? '+' : ''}${integer.format(value)}`;
}

export function initials(first: string, last: string, fallback: string): string {
  const text = `${first.charAt(0)}${last.charAt(0)}`.trim();
  return (text || fallback.charAt(0) || '?').toUpperCase();
}
