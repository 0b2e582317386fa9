import { QualityFlag } from '../schema/quality-flags';
import { dayStart } from '../storage/lake-paths';
import type { Table } from '../table/table';
import { MINUTE_MS } from '../util/time';

/**
 * Parity of the day's 1m klines with its trades (docs/silver.md, "Parity with the exchange's bars"): where a day
 * has both archive klines and trades (e.g. imported by `lakehouse history`), each minute's kept archive 1m bar
 * is compared with the bar rebuilt from the minute's clean trades: open, high, low, close and volume within a
 * relative 1e-9, trade count exactly. Counted and sampled in the quality report, never used to change a bar.
 */

export const TRADE_PARITY_RULES = {
  /** Relative tolerance for prices and volume: both come from the same prints, only float sums differ. */
  relTol: 1e-9,
  samples: 5,
  /**
   * Above this share of compared minutes disagreeing the verdict is INVESTIGATE: below it a lone minute (already
   * reported here, and usually by the trade-id gap list) does not flip a day on its own.
   */
  investigateShare: 0.001,
  /**
   * The klines compared: the archive's, the exchange's final record of a day whose archive trades are complete.
   * Live WebSocket trades are partial around a collector's start, stop and reconnects (the trade-id gap list
   * reports those), so WebSocket and REST bars are not compared with them.
   */
  klineSources: ['archive'] as readonly string[],
} as const;

const FIELDS = ['open', 'high', 'low', 'close', 'volume', 'trade_count'] as const;
type Field = (typeof FIELDS)[number];

export interface TradeBarParity {
  /** Minutes with a kept archive kline (not interpolated, closed) inside the span of the day's trades. */
  compared: number;
  /** Compared minutes where at least one field disagrees. */
  disagreeing: number;
  /** Per field, the compared minutes disagreeing on it. */
  byField: Partial<Record<Field, number>>;
  /** Minutes with trades but no archive kline to compare them with (a gap, or a bar of another source). */
  tradeMinutesWithoutKline: number;
  /** The first disagreements: the minute, the field, the value rebuilt from trades and the kline's. */
  samples: { open_time: number; field: Field; trades: number; kline: number; source: string }[];
}

const same = (a: number, b: number) =>
  a === b || Math.abs(a - b) <= TRADE_PARITY_RULES.relTol * Math.max(Math.abs(a), Math.abs(b));

/** Per minute of the day, the OHLCV and count of its trades (first and last by event time, then trade id). */
function tradeBars(trades: Table, start: number) {
  const minutes = 1440;
  const count = new Float64Array(minutes);
  const open = new Float64Array(minutes);
  const close = new Float64Array(minutes);
  const high = new Float64Array(minutes).fill(-Infinity);
  const low = new Float64Array(minutes).fill(Infinity);
  const volume = new Float64Array(minutes);
  const firstKey = new Float64Array(minutes * 2).fill(Infinity);
  const lastKey = new Float64Array(minutes * 2).fill(-Infinity);
  const time = trades.num('event_time');
  const id = trades.num('trade_id');
  const price = trades.num('price');
  const qty = trades.num('qty');
  const before = (t1: number, i1: number, t2: number, i2: number) => t1 < t2 || (t1 === t2 && i1 < i2);
  for (let i = 0; i < trades.length; i++) {
    const m = Math.floor((time[i] - start) / MINUTE_MS);
    if (!(m >= 0 && m < minutes)) continue;
    const tradeId = Number.isFinite(id[i]) ? id[i] : i;
    if (before(time[i], tradeId, firstKey[2 * m], firstKey[2 * m + 1])) {
      firstKey[2 * m] = time[i];
      firstKey[2 * m + 1] = tradeId;
      open[m] = price[i];
    }
    if (!before(time[i], tradeId, lastKey[2 * m], lastKey[2 * m + 1])) {
      lastKey[2 * m] = time[i];
      lastKey[2 * m + 1] = tradeId;
      close[m] = price[i];
    }
    high[m] = Math.max(high[m], price[i]);
    low[m] = Math.min(low[m], price[i]);
    volume[m] += qty[i];
    count[m]++;
  }
  return { count, open, close, high, low, volume };
}

/**
 * `trades`: the day's clean Silver trades; `klines`: the day's Silver 1m bars. Undefined when the day has no trades.
 * Minutes before the first trade's minute and after the last one's are not compared (the trades may start later
 * than the klines, e.g. a collector started mid-day); inside that span a kline with trades but none here disagrees.
 */
export function tradeBarParity(trades: Table, klines: Table, dt: string): TradeBarParity | undefined {
  if (trades.length === 0) return undefined;
  const start = dayStart(dt);
  const bars = tradeBars(trades, start);
  let first = -1;
  let last = -1;
  for (let m = 0; m < bars.count.length; m++) {
    if (bars.count[m] === 0) continue;
    if (first < 0) first = m;
    last = m;
  }
  if (first < 0) return undefined;
  const result: TradeBarParity = { compared: 0, disagreeing: 0, byField: {}, tradeMinutesWithoutKline: 0, samples: [] };
  const openTime = klines.num('open_time');
  const flags = klines.num('quality_flags');
  const source = klines.str('source');
  const columns: Record<Field, ArrayLike<number>> = {
    open: klines.num('open'),
    high: klines.num('high'),
    low: klines.num('low'),
    close: klines.num('close'),
    volume: klines.num('volume'),
    trade_count: klines.num('trade_count'),
  };
  const seen = new Uint8Array(bars.count.length);
  for (let i = 0; i < klines.length; i++) {
    const m = (openTime[i] - start) / MINUTE_MS;
    if (!Number.isInteger(m) || m < first || m > last) continue;
    // An interpolated or never-closed bar is not the exchange's: nothing to compare.
    if ((flags[i] & (QualityFlag.FILLED | QualityFlag.INCOMPLETE)) !== 0) continue;
    if (!TRADE_PARITY_RULES.klineSources.includes(source[i] ?? '')) continue;
    seen[m] = 1;
    result.compared++;
    const rebuilt: Record<Field, number> =
      bars.count[m] === 0
        ? { open: Number.NaN, high: Number.NaN, low: Number.NaN, close: Number.NaN, volume: 0, trade_count: 0 }
        : {
            open: bars.open[m],
            high: bars.high[m],
            low: bars.low[m],
            close: bars.close[m],
            volume: bars.volume[m],
            trade_count: bars.count[m],
          };
    let agrees = true;
    for (const field of FIELDS) {
      const kline = columns[field][i];
      const ours = rebuilt[field];
      // A quiet minute has no trade prices; a kline without a trade count (some sources) is not compared on it.
      if (Number.isNaN(ours) || Number.isNaN(kline)) continue;
      if (field === 'trade_count' ? ours === kline : same(ours, kline)) continue;
      agrees = false;
      result.byField[field] = (result.byField[field] ?? 0) + 1;
      if (result.samples.length < TRADE_PARITY_RULES.samples) {
        result.samples.push({ open_time: openTime[i], field, trades: ours, kline, source: source[i] ?? '' });
      }
    }
    if (!agrees) result.disagreeing++;
  }
  // A day without archive klines has nothing to compare: no parity, rather than a report of zeros.
  if (result.compared === 0) return undefined;
  for (let m = first; m <= last; m++) if (bars.count[m] > 0 && !seen[m]) result.tradeMinutesWithoutKline++;
  return result;
}
