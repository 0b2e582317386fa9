import type { Row } from '../schema/types';

/**
 * Binance kline archive rows (data.binance.vision): 12 columns
 * `open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore`,
 * with a header in futures files and none in spot files. Spot files switched from milliseconds to microseconds
 * on 2025-01-01, so the unit is detected per file (lib/history/kline-file-profile.ts), never assumed, and a row in
 * another unit than its file's is rejected rather than converted: it is a sign of a spliced or damaged file.
 */

/** Epoch seconds, milliseconds, microseconds or nanoseconds, or ISO-8601 text. */
export type TimeUnit = 's' | 'ms' | 'us' | 'ns' | 'iso';

/**
 * The unit an epoch number must be in to be a date between 1973 and 5138: below 1e11 it can only be seconds,
 * below 1e14 milliseconds, below 1e17 microseconds. (Milliseconds of 1970-1973 read as seconds; the exchanges'
 * eras reject both.)
 */
export function detectUnit(epoch: number): Exclude<TimeUnit, 'iso'> {
  const magnitude = Math.abs(epoch);
  return magnitude < 1e11 ? 's' : magnitude < 1e14 ? 'ms' : magnitude < 1e17 ? 'us' : 'ns';
}

const SCALE: Record<Exclude<TimeUnit, 'iso'>, number> = { s: 1e-3, ms: 1, us: 1e3, ns: 1e6 };

/** Plain decimal digits (an optional sign): what the exchanges write for epoch times. */
const EPOCH = /^-?\d+(\.\d+)?$/;

/** The unit of a time field's text, or null when it is neither an epoch number nor a parseable date. */
export function timeTextUnit(text: string): TimeUnit | null {
  if (EPOCH.test(text)) return detectUnit(Number(text));
  return Number.isFinite(parseIso(text)) ? 'iso' : null;
}

function parseIso(text: string): number {
  // Date.parse accepts loose text ("1", "May 3"); require a date that starts with YYYY-MM-DD.
  if (!/^\d{4}-\d{2}-\d{2}([T ]|$)/.test(text)) return NaN;
  return Date.parse(text.replace(' ', 'T'));
}

/** Epoch ms of a time field written in `unit`, or the reason it is not one. */
export function timeInUnit(column: string, text: string, unit: TimeUnit): number | string {
  const found = timeTextUnit(text);
  if (found === null) return `${column} is not a time: '${clip(text)}'`;
  if (found !== unit) {
    return `${column} unit differs from the file's: '${clip(text)}' is ${UNIT_NAME[found]}, the file's times are ${UNIT_NAME[unit]}`;
  }
  if (unit === 'iso') return parseIso(text);
  return epochMs(text, unit);
}

/**
 * Whole milliseconds of epoch text in `unit`. Decimal seconds are read digit by digit: dividing the float by 1e-3
 * can land just below the millisecond (`1559347203.001` s as …203000.9999 ms, floored to …203000).
 */
function epochMs(text: string, unit: Exclude<TimeUnit, 'iso'>): number {
  const dot = text.indexOf('.');
  if (unit !== 's' || dot < 0 || text.startsWith('-')) return Math.floor(Number(text) / SCALE[unit]);
  return Number(text.slice(0, dot)) * 1000 + Number(text.slice(dot + 1, dot + 4).padEnd(3, '0'));
}

export const UNIT_NAME: Record<TimeUnit, string> = {
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  iso: 'ISO text',
};

/** At most 40 characters of a field, for reasons that quote it. */
export const clip = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

const num = (s: string | undefined): number => (s === undefined || s.trim() === '' ? NaN : Number(s));

/** One archive record as a Bronze `klines` row, or the reason it cannot be one. */
export function klineArchiveRow(
  fields: readonly string[],
  unit: TimeUnit,
  base: string,
  quote: string,
  ingestMs: number,
): Row | string {
  if (fields.length < 11) return `expected 12 columns, got ${fields.length}`;
  const openTime = timeInUnit('open_time', fields[0], unit);
  if (typeof openTime === 'string') return openTime;
  const closeTime = timeInUnit('close_time', fields[6], unit);
  if (typeof closeTime === 'string') return closeTime;
  const row: Row = {
    open_time: openTime,
    close_time: closeTime,
    open: num(fields[1]),
    high: num(fields[2]),
    low: num(fields[3]),
    close: num(fields[4]),
    volume: num(fields[5]),
    quote_volume: num(fields[7]),
    trade_count: num(fields[8]),
    taker_buy_volume: num(fields[9]),
    taker_buy_quote_volume: num(fields[10]),
    is_closed: true,
    event_time: null,
    base,
    quote,
    ingest_time: ingestMs,
    source: 'archive',
  };
  return finiteRow(row);
}

/** Interval and symbol from a standard archive name like `LINKUSDT-1m-2023-02.csv` / `BTCUSDT-1m-2025-01-01.zip`. */
export function parseArchiveName(fileName: string): { symbol?: string; interval?: string } {
  const match = /^([A-Z0-9]+)-(\d+[smhdwM])-\d{4}-\d{2}(?:-\d{2})?\.(?:csv|zip)$/i.exec(fileName);
  return match ? { symbol: match[1].toUpperCase(), interval: match[2] } : {};
}

/** The row, or why not: the first column a field could not be read into a finite number for. */
export function finiteRow(row: Row): Row | string {
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === 'number' && !Number.isFinite(value)) return `${key} is not a number`;
  }
  return row;
}
