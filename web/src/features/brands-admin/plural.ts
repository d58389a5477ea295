/** "1 event", "2 events", "1,234 events": a count with its noun, formatted en-US like every figure. */
import { formatCount } from '../../lib/format';

export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
