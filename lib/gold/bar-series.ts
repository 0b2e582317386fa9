import { timeframeMs } from '../schema/columns';
import { deriveBars } from '../silver/derive-klines';
import type { Table } from '../table/table';

/** One timeframe's bars as columns (NaN for nulls), built from Silver 1m bars sorted by open time. */
export interface BarSeries {
  readonly length: number;
  readonly intervalMs: number;
  readonly openTime: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly quoteVolume: Float64Array;
  readonly takerBuyVolume: Float64Array;
  readonly flags: Float64Array;
}

const COLUMNS = {
  openTime: 'open_time',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
  quoteVolume: 'quote_volume',
  takerBuyVolume: 'taker_buy_volume',
  flags: 'quality_flags',
} as const;

export function barSeries(oneMinute: Table, tf: string): BarSeries {
  const intervalMs = timeframeMs(tf);
  const out: Record<string, Float64Array> = {};
  if (intervalMs === 60_000) {
    for (const [k, col] of Object.entries(COLUMNS)) out[k] = oneMinute.num(col);
  } else {
    const rows = deriveBars(oneMinute, tf);
    for (const [k, col] of Object.entries(COLUMNS))
      out[k] = Float64Array.from(rows, (r) => (r[col] === null ? NaN : (r[col] as number)));
  }
  return { length: out.openTime.length, intervalMs, ...out } as unknown as BarSeries;
}
