import { KLINE_TIMEFRAMES, PARTITION, bool, bronzeMeta, dbl, i32, i64, price, qty, silverMeta, str, ts } from './columns';
import { GOLD_FEATURE_COLUMNS } from './gold-feature-columns';
import { ALL_GOLD_INPUTS, inputBitList } from './gold-inputs';
import type { ColumnSpec, DatasetSpec, Layer, PartitionKeySpec } from './types';

/**
 * Every dataset of every layer, defined once (docs/architecture.md#lake-layout-and-datasets). The exchange fields of a
 * dataset are shared by Bronze and Silver; each layer adds its own metadata columns.
 */

const { timeframe, exchange, symbol, dt, hour } = PARTITION;
const BRONZE_KEYS: PartitionKeySpec[] = [exchange, symbol, dt, hour];
const DAY_KEYS: PartitionKeySpec[] = [exchange, symbol, dt];

const levels = (side: 'bid' | 'ask'): ColumnSpec[] =>
  Array.from({ length: 10 }, (_, i) => [
    price(`${side}_px_${i + 1}`, `${side} price at level ${i + 1} (null when the book is thinner)`, true),
    qty(`${side}_sz_${i + 1}`, `${side} size at level ${i + 1}`, true),
  ]).flat();

/** Exchange fields of each dataset, shared by Bronze and Silver. */
const FIELDS = {
  klines: [
    ts('open_time', 'candle open time'),
    ts('close_time', 'candle close time (open_time + interval - 1 ms, as Binance reports it)'),
    price('open', 'first trade price'),
    price('high', 'highest trade price'),
    price('low', 'lowest trade price'),
    price('close', 'last trade price'),
    qty('volume', 'base asset volume'),
    qty('quote_volume', 'quote asset volume', true),
    i64('trade_count', 'number of trades', true, { min: 0 }),
    qty('taker_buy_volume', 'base volume bought by takers', true),
    qty('taker_buy_quote_volume', 'quote volume bought by takers', true),
    bool('is_closed', 'true when the exchange marked the candle final'),
    ts('event_time', 'exchange event time of the message (null for archives and REST)', true),
  ],
  book_top10: [
    ts('event_time', 'exchange event time; Binance spot partial depth has none, so the receive time is used'),
    i64('last_update_id', 'order book update id of the snapshot', true, { min: 0 }),
    ...levels('bid'),
    ...levels('ask'),
  ],
  trades: [
    i64('trade_id', 'exchange trade id', false, { min: 0 }),
    ts('event_time', 'trade execution time'),
    price('price', 'trade price'),
    qty('qty', 'base quantity'),
    qty('quote_qty', 'quote quantity (price x qty when the exchange does not send it)'),
    bool('is_buyer_maker', 'true when the buyer was the maker (the taker sold)'),
  ],
  quotes: [
    ts('event_time', 'exchange event time; Binance spot bookTicker has none, so the receive time is used'),
    i64('update_id', 'order book update id', true, { min: 0 }),
    price('bid_px', 'best bid price'),
    qty('bid_sz', 'best bid size'),
    price('ask_px', 'best ask price'),
    qty('ask_sz', 'best ask size'),
  ],
  funding: [
    ts('event_time', 'exchange event time'),
    price('mark_price', 'mark price'),
    price('index_price', 'index price', true),
    dbl('funding_rate', 'current funding rate per funding interval', false, { min: -1, max: 1 }),
    ts('next_funding_time', 'next funding settlement time', true),
  ],
  open_interest: [
    ts('event_time', 'exchange time of the open-interest reading'),
    qty('open_interest', 'open interest in contracts (base asset)'),
    qty('open_interest_value', 'open interest in quote asset, where the exchange provides it', true),
  ],
  liquidations: [
    ts('event_time', 'exchange event time'),
    str('side', 'order side of the liquidation order: BUY closes a short, SELL closes a long', false, { enum: ['BUY', 'SELL'] }),
    price('price', 'order price'),
    qty('qty', 'original quantity'),
    price('avg_price', 'average fill price', true),
    str('status', 'order status, e.g. FILLED', true),
    qty('filled_qty', 'accumulated filled quantity', true),
  ],
  // The archive-only datasets below are filled by lakehouse history (docs/history.md, "Archive rows in Bronze").
  agg_trades: [
    i64('agg_trade_id', 'exchange aggregate trade id', false, { min: 0 }),
    ts('event_time', 'transaction time of the aggregated fills'),
    price('price', 'price of every fill in the aggregate'),
    qty('qty', 'base quantity of the aggregate'),
    i64('first_trade_id', 'first trade id in the aggregate', false, { min: 0 }),
    i64('last_trade_id', 'last trade id in the aggregate', false, { min: 0 }),
    bool('is_buyer_maker', 'true when the buyer was the maker (the taker sold)'),
    bool('is_best_match', 'whether the fills were the best price match (spot archives only; null for USD-M)', true),
  ],
  funding_rates: [
    ts('event_time', 'funding calculation time, a few ms after the funding hour'),
    dbl('funding_rate', 'funding rate settled for the interval', false, { min: -1, max: 1 }),
    i32('funding_interval_hours', 'hours between fundings', false, { min: 1, max: 24 }),
  ],
  long_short_ratios: [
    ts('event_time', 'time of the 5-minute reading'),
    dbl('top_trader_account_ratio', 'long/short ratio of top-trader accounts (null when not published)', true, { min: 0 }),
    dbl('top_trader_position_ratio', 'long/short ratio of top-trader positions (null when not published)', true, { min: 0 }),
    dbl('global_account_ratio', 'long/short ratio of all accounts (null when not published)', true, { min: 0 }),
    dbl('taker_buy_sell_ratio', 'taker buy/sell volume ratio (null when not published, e.g. no taker sells)', true, { min: 0 }),
  ],
  book_depth: [
    ts('event_time', 'snapshot time'),
    dbl('percentage', 'band: depth within this percent of the mid, negative for bids, positive for asks', false, {
      min: -100,
      max: 100,
    }),
    qty('depth', 'cumulative base quantity within the band'),
    qty('notional', 'cumulative quote value within the band'),
  ],
  gaps: [
    str('stream', 'stream that was interrupted, e.g. trade, depth10, kline_1m'),
    ts('start_time', 'last event time seen before the interruption'),
    ts('end_time', 'first event time seen after it (null while still open)', true),
    str('cause', 'reconnect, silent_stream, sequence_break, server_shutdown, rollover, checksum, store_outage'),
    ts('detected_at', 'local time the collector recorded the gap'),
  ],
} satisfies Record<string, ColumnSpec[]>;

/** One archive file of `lakehouse history` (lib/history/import-ledger.ts, docs/history.md "The import ledger"). */
const IMPORT_LEDGER: ColumnSpec[] = [
  ts('file_start', 'midnight of the first UTC day the archive file covers (its dt partition)'),
  str('archive_dataset', 'archive dataset: klines, trades, aggTrades, fundingRate, metrics, bookDepth, bookTicker'),
  str('archive_interval', 'kline interval of the file (null for other datasets)', true),
  str('period', 'monthly or daily file', false, { enum: ['monthly', 'daily'] }),
  str('source_url', 'URL the file was fetched from'),
  str('archive_path', 'path of the file in the archive, e.g. data/spot/daily/trades/BTCUSDT/BTCUSDT-trades-2024-05-01.zip'),
  str('sha256', 'sha256 of the ZIP as its .CHECKSUM names it (null when missing)', true),
  i64('bytes', 'ZIP bytes downloaded', false, { min: 0 }),
  i64('rows', 'rows written to Bronze', false, { min: 0 }),
  i64('rejected', 'lines rejected into quarantine', false, { min: 0 }),
  ts('first_time', 'first row time imported', true),
  ts('last_time', 'last row time imported', true),
  str('status', 'imported, missing (404) or failed', false, { enum: ['imported', 'missing', 'failed'] }),
  str('reason', 'why the file is missing or failed', true),
  ts('imported_at', 'when the run recorded the file'),
];

const BARS_1S: ColumnSpec[] = [
  ts('ts', 'second start'),
  price('open', 'first trade price in the second', true),
  price('high', 'highest trade price', true),
  price('low', 'lowest trade price', true),
  price('close', 'last trade price', true),
  qty('volume', 'base volume'),
  qty('quote_volume', 'quote volume'),
  price('vwap', 'volume-weighted average price (null when no trades)', true),
  i64('trade_count', 'number of trades', false, { min: 0 }),
  price('bid', 'last best bid in or before the second', true),
  price('ask', 'last best ask in or before the second', true),
  dbl('spread', 'ask - bid', true, { min: 0 }),
];

const OHLCV: ColumnSpec[] = [
  ts('open_time', 'bar open time'),
  ts('close_time', 'bar close time (open_time + interval - 1 ms)'),
  price('open', 'open'),
  price('high', 'high'),
  price('low', 'low'),
  price('close', 'close'),
  qty('volume', 'base volume'),
  qty('quote_volume', 'quote volume', true),
  i64('trade_count', 'number of trades', true, { min: 0 }),
  qty('taker_buy_volume', 'base volume bought by takers', true),
  qty('taker_buy_quote_volume', 'quote volume bought by takers', true),
  i32('minutes', 'number of Silver 1m bars the bar was built from', false, { min: 0 }),
  i32('quality_flags', 'OR of the constituent bars quality flags, plus PARTIAL when minutes are missing', false, { min: 0 }),
];

const FEATURES_1M: ColumnSpec[] = [
  ts('ts', "minute boundary at which everything in the row is known: the close of the row's 1m candle"),
  ts('open_time', "open time of the row's 1m candle"),
  price('open', '1m open', true),
  price('high', '1m high', true),
  price('low', '1m low', true),
  price('close', '1m close', true),
  qty('volume', '1m base volume', true),
  i32('quality_flags', 'OR of the input rows quality flags', false, { min: 0 }),
  i32('inputs', `bitmask of the inputs present and usable for the row: ${inputBitList()} (docs/features.md)`, false, {
    min: 0,
    max: ALL_GOLD_INPUTS,
  }),
  bool(
    'data_ok',
    'true where inputs holds every input the market needs and the required features have warmed up; filter on it to train',
  ),
  ...GOLD_FEATURE_COLUMNS,
];

function dataset(
  layer: Layer,
  name: string,
  description: string,
  shape: Omit<DatasetSpec, 'layer' | 'name' | 'description'>,
): DatasetSpec {
  return { layer, name, description, ...shape };
}

const klineKeys = (withHour: boolean) => [timeframe, ...(withHour ? BRONZE_KEYS : DAY_KEYS)];

export const DATASETS: readonly DatasetSpec[] = [
  // Bronze: raw, append-only, one file per flush per dataset/exchange/symbol/hour.
  dataset('bronze', 'klines', 'raw klines as received (every update of an open candle is a row)', {
    partitionKeys: klineKeys(true),
    columns: [...FIELDS.klines, ...bronzeMeta()],
    timeColumn: 'open_time',
    key: ['open_time'],
    timeframes: KLINE_TIMEFRAMES,
  }),
  dataset('bronze', 'book_top10', 'top-10 order book snapshots (100 ms)', {
    partitionKeys: BRONZE_KEYS,
    columns: [...FIELDS.book_top10, ...bronzeMeta()],
    timeColumn: 'event_time',
    key: ['event_time', 'last_update_id'],
  }),
  dataset('bronze', 'trades', 'individual trades', {
    partitionKeys: BRONZE_KEYS,
    columns: [...FIELDS.trades, ...bronzeMeta()],
    timeColumn: 'event_time',
    key: ['trade_id'],
  }),
  dataset('bronze', 'quotes', 'top of book', {
    partitionKeys: BRONZE_KEYS,
    columns: [...FIELDS.quotes, ...bronzeMeta()],
    timeColumn: 'event_time',
    key: ['event_time', 'update_id'],
  }),
  dataset('bronze', 'funding', 'perpetual mark price and funding', {
    partitionKeys: BRONZE_KEYS,
    columns: [...FIELDS.funding, ...bronzeMeta()],
    timeColumn: 'event_time',
    key: ['event_time'],
  }),
  dataset('bronze', 'open_interest', 'perpetual open interest (REST poll)', {
    partitionKeys: BRONZE_KEYS,
    columns: [...FIELDS.open_interest, ...bronzeMeta()],
    timeColumn: 'event_time',
    key: ['event_time'],
  }),
  dataset(
    'bronze',
    'liquidations',
    'perpetual forced orders; Binance sends at most one per symbol per second, so counts are lower bounds',
    {
      partitionKeys: BRONZE_KEYS,
      columns: [...FIELDS.liquidations, ...bronzeMeta()],
      timeColumn: 'event_time',
      key: ['event_time', 'side', 'price', 'qty'],
    },
  ),
  dataset('bronze', 'agg_trades', 'aggregate trades: fills of one taker order at one price (archive)', {
    partitionKeys: BRONZE_KEYS,
    columns: [...FIELDS.agg_trades, ...bronzeMeta()],
    timeColumn: 'event_time',
    key: ['agg_trade_id'],
  }),
  dataset('bronze', 'funding_rates', 'settled perpetual funding rates, one per funding (archive)', {
    partitionKeys: BRONZE_KEYS,
    columns: [...FIELDS.funding_rates, ...bronzeMeta()],
    timeColumn: 'event_time',
    key: ['event_time'],
  }),
  dataset(
    'bronze',
    'long_short_ratios',
    'perpetual long/short account, position and taker volume ratios every 5 minutes (archive)',
    {
      partitionKeys: BRONZE_KEYS,
      columns: [...FIELDS.long_short_ratios, ...bronzeMeta()],
      timeColumn: 'event_time',
      key: ['event_time'],
    },
  ),
  dataset('bronze', 'book_depth', 'cumulative order book depth within percentage bands of the mid, every 30 s (archive)', {
    partitionKeys: BRONZE_KEYS,
    columns: [...FIELDS.book_depth, ...bronzeMeta()],
    timeColumn: 'event_time',
    key: ['event_time', 'percentage'],
  }),
  dataset('bronze', 'gaps', 'gap ledger: every interruption of a stream', {
    partitionKeys: BRONZE_KEYS,
    columns: [...FIELDS.gaps, ...bronzeMeta()],
    timeColumn: 'start_time',
    key: ['stream', 'start_time', 'cause'],
  }),
  // The history command's import ledger (docs/history.md): one row per archive file, filed under its first day.
  dataset('bronze', 'import_ledger', 'archive files lakehouse history fetched: where from, checksum, rows, status', {
    partitionKeys: BRONZE_KEYS,
    columns: [...IMPORT_LEDGER, ...bronzeMeta()],
    timeColumn: 'file_start',
    key: ['archive_path'],
  }),

  // Silver: cleaned, one file per dataset/exchange/symbol/day, replaced atomically.
  dataset('silver', 'klines', 'clean klines: one row per interval on a full grid, flagged', {
    partitionKeys: klineKeys(false),
    columns: [...FIELDS.klines, ...silverMeta()],
    timeColumn: 'open_time',
    key: ['open_time'],
    timeframes: KLINE_TIMEFRAMES,
  }),
  dataset('silver', 'book_top10', 'clean top-10 book snapshots', {
    partitionKeys: DAY_KEYS,
    columns: [...FIELDS.book_top10, ...silverMeta()],
    timeColumn: 'event_time',
    key: ['event_time', 'last_update_id'],
  }),
  dataset('silver', 'trades', 'clean trades, first copy of each trade id', {
    partitionKeys: DAY_KEYS,
    columns: [...FIELDS.trades, ...silverMeta()],
    timeColumn: 'event_time',
    key: ['trade_id'],
  }),
  dataset('silver', 'quotes', 'clean top of book', {
    partitionKeys: DAY_KEYS,
    columns: [...FIELDS.quotes, ...silverMeta()],
    timeColumn: 'event_time',
    key: ['event_time', 'update_id'],
  }),
  dataset('silver', 'funding', 'clean funding', {
    partitionKeys: DAY_KEYS,
    columns: [...FIELDS.funding, ...silverMeta()],
    timeColumn: 'event_time',
    key: ['event_time'],
  }),
  dataset('silver', 'open_interest', 'clean open interest', {
    partitionKeys: DAY_KEYS,
    columns: [...FIELDS.open_interest, ...silverMeta()],
    timeColumn: 'event_time',
    key: ['event_time'],
  }),
  dataset('silver', 'liquidations', 'clean liquidations (lower bound: one per symbol per second at most)', {
    partitionKeys: DAY_KEYS,
    columns: [...FIELDS.liquidations, ...silverMeta()],
    timeColumn: 'event_time',
    key: ['event_time', 'side', 'price', 'qty'],
  }),
  dataset('silver', 'bars_1s', '1-second bars from trades and quotes', {
    partitionKeys: DAY_KEYS,
    columns: [...BARS_1S, ...silverMeta()],
    timeColumn: 'ts',
    key: ['ts'],
  }),

  // Gold: ML-ready features and analyst OHLCV.
  dataset('gold', 'features_1m', 'one row per minute of look-ahead-free features', {
    partitionKeys: DAY_KEYS,
    columns: FEATURES_1M,
    timeColumn: 'open_time',
    key: ['ts'],
  }),
  ...(['5m', '15m', '30m', '1h', '4h', '1d'] as const).map((tf) =>
    dataset('gold', `ohlcv_${tf}`, `${tf} OHLCV bars derived from Silver 1m`, {
      partitionKeys: DAY_KEYS,
      columns: OHLCV,
      timeColumn: 'open_time',
      key: ['open_time'],
    }),
  ),
];

/**
 * Quarantine tables mirror the Bronze datasets Silver cleans: every column nullable (a rejected row may lack
 * any field) plus the reason. One file per Silver partition, rebuilt with it, plus one per archive import that
 * rejected lines (docs/import.md).
 */
const QUARANTINED = [
  'klines',
  'book_top10',
  'trades',
  'quotes',
  'funding',
  'open_interest',
  'liquidations',
  // Not cleaned by Silver (yet): their quarantine holds the lines a history import rejected.
  'agg_trades',
  'funding_rates',
  'long_short_ratios',
  'book_depth',
] as const;
export const QUARANTINE_DATASETS: readonly DatasetSpec[] = QUARANTINED.map((name) => {
  const bronze = DATASETS.find((d) => d.layer === 'bronze' && d.name === name)!;
  return dataset('quarantine', name, `rows of bronze ${name} that Silver or an archive import rejected, with the reason`, {
    partitionKeys: name === 'klines' ? klineKeys(false) : DAY_KEYS,
    columns: [
      ...bronze.columns.map((c) => ({ ...c, nullable: true })),
      str('quarantine_reason', 'why the row was rejected'),
      ts('quarantined_at', 'when the Silver run or the import rejected it'),
    ],
    timeColumn: bronze.timeColumn,
    key: bronze.key,
    timeframes: bronze.timeframes,
  });
});
