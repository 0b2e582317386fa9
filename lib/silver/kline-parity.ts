import type { Row } from '../schema/types';
import type { Table } from '../table/table';

/**
 * Parity of our derived 5m/15m bars with the exchange's own (docs/silver.md#parity-with-the-exchanges-bars): the kline
 * streams the collector records for those timeframes are compared, bar by bar, with the bars Silver derives from 1m.
 * Differences are counted and reported, never used to overwrite: Silver's higher timeframes come strictly from its 1m
 * bars.
 */

export interface ParityResult {
  /** Closed exchange bars with a derived bar of the same open time. */
  compared: number;
  matching: number;
  differing: number;
  /** Exchange bars with no derived bar (the 1m bars of that interval are missing). */
  unmatched: number;
  /** A few differences, for the report. */
  examples: { open_time: number; field: string; ours: number; exchange: number }[];
}

const FIELDS = ['open', 'high', 'low', 'close', 'volume', 'trade_count'] as const;
/** Relative tolerance: exchanges print volumes with fixed decimals, sums of 1m volumes carry rounding. */
const REL_TOL = 1e-9;
const MAX_EXAMPLES = 5;

const same = (a: number, b: number) => a === b || Math.abs(a - b) <= REL_TOL * Math.max(Math.abs(a), Math.abs(b));

/** `exchange`: Bronze klines of one timeframe (any versions); only the closed final version of each bar counts. */
export function klineParity(derived: readonly Row[], exchange: Table): ParityResult {
  const ours = new Map<number, Row>();
  for (const row of derived) ours.set(row.open_time as number, row);
  const open = exchange.num('open_time');
  const closed = exchange.bool('is_closed');
  const eventTime = exchange.num('event_time');
  const finals = new Map<number, number>();
  for (let i = 0; i < exchange.length; i++) {
    if (!closed[i]) continue;
    const prev = finals.get(open[i]);
    if (prev === undefined || (eventTime[i] || 0) >= (eventTime[prev] || 0)) finals.set(open[i], i);
  }
  const result: ParityResult = { compared: 0, matching: 0, differing: 0, unmatched: 0, examples: [] };
  const cols = Object.fromEntries(FIELDS.map((f) => [f, exchange.num(f)]));
  for (const [t, i] of [...finals].sort((a, b) => a[0] - b[0])) {
    const d = ours.get(t);
    if (!d) {
      result.unmatched++;
      continue;
    }
    result.compared++;
    let ok = true;
    for (const f of FIELDS) {
      const x = cols[f][i];
      const y = d[f] as number | null;
      if (Number.isNaN(x) || y === null || y === undefined) continue;
      if (!same(y, x)) {
        ok = false;
        if (result.examples.length < MAX_EXAMPLES) result.examples.push({ open_time: t, field: f, ours: y, exchange: x });
      }
    }
    if (ok) result.matching++;
    else result.differing++;
  }
  return result;
}
