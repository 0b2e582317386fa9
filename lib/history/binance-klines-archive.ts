import type { Row } from '../schema/types';

/**
 * Binance kline archive rows (data.binance.vision): 12 columns
 * `open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore`,
 * with a header in futures files and none in spot files. Spot files switched from milliseconds to microseconds
 * on 2025-01-01, so the unit is detected per file from the first row, never assumed.
 */

export type TimeUnit = 'ms' | 'us';

/** Epoch values above 1e14 cannot be milliseconds before the year 5138. */
export function detectUnit(firstOpenTime: number): TimeUnit {
  return firstOpenTime >= 1e14 ? 'us' : 'ms';
}

export function isHeader(fields: readonly string[]): boolean {
  return fields.length > 0 && Number.isNaN(Number(fields[0]));
}

const num = (s: string | undefined): number => (s === undefined || s.trim() === '' ? NaN : Number(s));

/** One archive record as a Bronze `klines` row, or the reason it cannot be one. */
export function klineArchiveRow(fields: readonly string[], unit: TimeUnit, base: string, quote: string, ingestMs: number): Row | string {
  if (fields.length < 11) return `expected 12 columns, got ${fields.length}`;
  const scale = unit === 'us' ? 1000 : 1;
  const openTime = Math.floor(num(fields[0]) / scale);
  const closeTime = Math.floor(num(fields[6]) / scale);
  const row: Row = {
    open_time: openTime, close_time: closeTime,
    open: num(fields[1]), high: num(fields[2]), low: num(fields[3]), close: num(fields[4]),
    volume: num(fields[5]), quote_volume: num(fields[7]), trade_count: num(fields[8]),
    taker_buy_volume: num(fields[9]), taker_buy_quote_volume: num(fields[10]),
    is_closed: true, event_time: null, base, quote, ingest_time: ingestMs, source: 'archive',
  };
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'number' && !Number.isFinite(v)) return `${k} is not a number`;
  }
  return row;
}

/** Interval and symbol from a standard archive name like `LINKUSDT-1m-2023-02.csv` / `BTCUSDT-1m-2025-01-01.zip`. */
export function parseArchiveName(fileName: string): { symbol?: string; interval?: string } {
  const m = /^([A-Z0-9]+)-(\d+[smhdwM])-\d{4}-\d{2}(?:-\d{2})?\.(?:csv|zip)$/i.exec(fileName);
  return m ? { symbol: m[1].toUpperCase(), interval: m[2] } : {};
}
