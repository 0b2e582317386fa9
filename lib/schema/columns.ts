import { DAY_MS, HOUR_MS, MINUTE_MS } from '../util/time';
import type { ColumnSpec, PartitionKeySpec } from './types';

/** Column builders: keep dataset definitions to one line per column. */

type Extra = Partial<Pick<ColumnSpec, 'min' | 'gt' | 'max' | 'enum'>>;

export const ts = (name: string, description: string, nullable = false): ColumnSpec => ({
  name,
  type: 'timestamp',
  nullable,
  description,
});
export const dbl = (name: string, description: string, nullable = false, extra: Extra = {}): ColumnSpec => ({
  name,
  type: 'double',
  nullable,
  description,
  ...extra,
});
export const i64 = (name: string, description: string, nullable = false, extra: Extra = {}): ColumnSpec => ({
  name,
  type: 'int64',
  nullable,
  description,
  ...extra,
});
export const i32 = (name: string, description: string, nullable = false, extra: Extra = {}): ColumnSpec => ({
  name,
  type: 'int32',
  nullable,
  description,
  ...extra,
});
export const bool = (name: string, description: string, nullable = false): ColumnSpec => ({
  name,
  type: 'boolean',
  nullable,
  description,
});
export const str = (name: string, description: string, nullable = false, extra: Extra = {}): ColumnSpec => ({
  name,
  type: 'string',
  nullable,
  description,
  ...extra,
});

/** A strictly positive price. */
export const price = (name: string, description: string, nullable = false): ColumnSpec =>
  dbl(name, description, nullable, { gt: 0, max: 1e9 });
/** A non-negative quantity. */
export const qty = (name: string, description: string, nullable = false): ColumnSpec =>
  dbl(name, description, nullable, { min: 0, max: 1e15 });

export const EXCHANGES = ['binance', 'binanceus', 'binance-futures', 'kraken'] as const;
export type ExchangeId = (typeof EXCHANGES)[number];

/**
 * The first day an exchange's market data can exist. A time before it (or after now) is not a market event but a
 * misread unit or the wrong file, e.g. Lean's milliseconds since midnight read as epoch time lands in 1970.
 * The bounds are a little generous: Binance spot opened on 2017-07-14 (its API docs' sample kline is from
 * 2017-07-03), Binance USD-M perpetuals and Binance.US both started trading in September 2019, Kraken in
 * September 2013.
 */
export const EXCHANGE_DATA_SINCE: Record<ExchangeId, string> = {
  binance: '2017-07-01',
  'binance-futures': '2019-09-01',
  binanceus: '2019-09-01',
  kraken: '2013-09-01',
};

/** Clock skew allowed past "now" before a time counts as in the future. */
export const FUTURE_MARGIN_MS = 5 * 60_000;

export const SOURCES = ['ws', 'rest', 'archive', 'filled'] as const;
export type RowSource = (typeof SOURCES)[number];

/** Kline intervals: the exchanges stream 1m/5m/15m; Silver derives the rest from 1m. */
export const KLINE_TIMEFRAMES = ['1m', '5m', '15m', '30m', '1h', '4h', '1d'] as const;
export type KlineTimeframe = (typeof KLINE_TIMEFRAMES)[number];
/** The intervals the collector writes to Bronze; imports and backfills may add others. */
export const LIVE_KLINE_TIMEFRAMES = ['1m', '5m', '15m'] as const satisfies readonly KlineTimeframe[];

// timeframeMs sits with the timeframe names (not in Silver) because history, Silver and Gold all need it.
const UNIT_MS: Record<string, number> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

/** Length of a kline interval such as '5m', '4h' or '1d' in milliseconds; throws on any other text. */
export function timeframeMs(tf: string): number {
  const m = /^(\d+)([mhd])$/.exec(tf);
  if (!m) throw new Error(`unknown timeframe ${tf}`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

export const PARTITION: Record<'timeframe' | 'exchange' | 'symbol' | 'dt' | 'hour', PartitionKeySpec> = {
  timeframe: { name: 'timeframe', type: 'string', description: 'kline interval (1m, 5m, 15m, ...)' },
  exchange: { name: 'exchange', type: 'string', description: 'exchange id: binance, binanceus, binance-futures, kraken' },
  symbol: { name: 'symbol', type: 'string', description: "symbol as the exchange spells it ('/' written as '-')" },
  dt: { name: 'dt', type: 'string', description: 'UTC date of the event time, YYYY-MM-DD' },
  hour: { name: 'hour', type: 'int32', description: 'UTC hour of the event time, 0-23' },
};

/** Columns every Bronze row carries besides the exchange's own fields. */
export const bronzeMeta = (): ColumnSpec[] => [
  str('base', 'normalized base asset, e.g. BTC'),
  str('quote', 'normalized quote asset, e.g. USDT'),
  ts('ingest_time', 'local receive (or import) time'),
  str('source', 'where the row came from: ws, rest, archive', false, { enum: SOURCES }),
];

/** Columns every Silver row carries. */
export const silverMeta = (): ColumnSpec[] => [
  str('base', 'normalized base asset, e.g. BTC'),
  str('quote', 'normalized quote asset, e.g. USDT'),
  ts('ingest_time', 'local receive (or import) time of the kept version; null for filled rows', true),
  str('source', 'ws, rest, archive or filled', false, { enum: SOURCES }),
  i32(
    'quality_flags',
    'bitmask, see quality flags (FILLED=1, OUTLIER=2, INVALID_OHLC=4, EXCHANGE_OUTAGE=8, NO_TRADES=16, LATE=32, ' +
      'BACKFILLED=64, INCOMPLETE=128, PARTIAL=256, SOURCE_CONFLICT=512)',
    false,
    { min: 0 },
  ),
];
