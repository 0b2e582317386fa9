import type { Row } from '../schema/types';
import { finiteRow, timeInUnit, timeTextUnit, type TimeUnit } from './binance-klines-archive';

/**
 * Kline files that are not data.binance.vision archives but that users hold and that the tests ship: 6-column
 * OHLCV downloads (`open_time,open,high,low,close,volume`, open time as ISO text or epoch, e.g. pulled from Binance
 * US's REST API) and Kraken's OHLCVT download (`unix_seconds,open,high,low,close,volume,trades`, no header).
 * Neither carries close time, quote volume or taker volumes; those stay null.
 */

export type KlineLayout = 'binance-archive' | 'ohlcv' | 'kraken-ohlcvt';

/** Column counts of the layouts (a Binance archive may lack its trailing `ignore` column). */
export const LAYOUT_COLUMNS: Record<number, KlineLayout> = {
  12: 'binance-archive',
  11: 'binance-archive',
  7: 'kraken-ohlcvt',
  6: 'ohlcv',
};

/** The layout of records with this many columns, or undefined when no kline layout has that many. */
export function detectLayout(record: readonly string[]): KlineLayout | undefined {
  return LAYOUT_COLUMNS[record.length];
}

const num = (s: string | undefined): number => (s === undefined || s.trim() === '' ? NaN : Number(s));

/** Epoch seconds, milliseconds or microseconds (by magnitude), or ISO-8601 text such as `2023-03-01 00:00:00+00:00`. */
export function parseOpenTime(text: string): number {
  const trimmed = text.trim();
  const unit = timeTextUnit(trimmed);
  const time = unit === null ? NaN : timeInUnit('open_time', trimmed, unit);
  return typeof time === 'number' ? time : NaN;
}

/**
 * One OHLCV(T) record as a Bronze `klines` row, or the reason it cannot be one. With `unit`, the open time must be
 * written in it (the file's unit); without, any unit is read.
 */
export function ohlcvRow(
  fields: readonly string[],
  layout: Exclude<KlineLayout, 'binance-archive'>,
  intervalMs: number,
  base: string,
  quote: string,
  ingestMs: number,
  unit?: TimeUnit,
): Row | string {
  const expected = layout === 'kraken-ohlcvt' ? 7 : 6;
  if (fields.length < expected) return `expected ${expected} columns, got ${fields.length}`;
  const openTime = unit ? timeInUnit('open_time', fields[0], unit) : parseOpenTime(fields[0]);
  if (typeof openTime === 'string') return openTime;
  if (!Number.isFinite(openTime)) return `open_time '${fields[0]}' is not a time`;
  const row: Row = {
    open_time: openTime,
    close_time: openTime + intervalMs - 1,
    open: num(fields[1]),
    high: num(fields[2]),
    low: num(fields[3]),
    close: num(fields[4]),
    volume: num(fields[5]),
    quote_volume: null,
    trade_count: layout === 'kraken-ohlcvt' ? num(fields[6]) : null,
    taker_buy_volume: null,
    taker_buy_quote_volume: null,
    is_closed: true,
    event_time: null,
    base,
    quote,
    ingest_time: ingestMs,
    source: 'archive',
  };
  return finiteRow(row);
}

/** Symbol and interval from names like `BTCUSDC_1m_20230301_20230321.csv` or `BTCUSDC_1m_2023Q1.csv`. */
export function parseDownloadName(fileName: string): { symbol?: string; interval?: string } {
  const match = /^([A-Z0-9]+)_(\d+[smhdwM])_[^.]*\.(?:csv|zip)$/i.exec(fileName);
  return match ? { symbol: match[1].toUpperCase(), interval: match[2] } : {};
}

export type { TimeUnit };
