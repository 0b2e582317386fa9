import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { KLINE_TIMEFRAMES } from '../../../lib/schema/columns';

/**
 * The DuckDB side of the Silver benches (this section's simulated day, the history section's archive day): the SQL
 * equivalent of runSilver for one exchange/symbol/date, read from the Bronze Parquet files under `root`, one
 * statement per step, each output written as Parquet under `out`.
 */

export interface SilverSqlDay {
  /** The lake root (LocalObjectStore's), holding `bronze/`. */
  root: string;
  /** Folder for DuckDB's Parquet files. */
  out: string;
  exchange: string;
  symbol: string;
  dt: string;
  base: string;
  quote: string;
  /** The bars' `source` (ours takes the last trade's). */
  source: string;
  /** Parquet compression; DuckDB's default is Snappy. */
  codec: 'snappy' | 'gzip';
  /**
   * Whether the day has quotes and book_top10 (a collected day) or trades alone (an archive day): without quotes,
   * bars_1s holds only seconds with trades, and no bid/ask.
   */
  book: boolean;
}

/** An in-memory DuckDB on `threads` threads, UTC. */
export async function openDuckDb(threads: number): Promise<{ instance: DuckDBInstance; db: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  await db.run(`SET threads = ${threads}`);
  await db.run(`SET TimeZone = 'UTC'`);
  // As in lib/local/duckdb-lake.ts: DuckDB 1.5.5 mis-answers some aggregates from statistics.
  await db.run(`SET disabled_optimizers = 'statistics_propagation'`);
  return { instance, db };
}

const DERIVED_MINUTES: Record<string, number> = { '5m': 5, '15m': 15, '30m': 30, '1h': 60, '4h': 240, '1d': 1440 };

/** The SQL in order: [step name, statement]. */
export function silverDaySql(day: SilverSqlDay): [string, string][] {
  const o = (name: string) => `'${day.out}/${name}.parquet'`;
  const opts = `(FORMAT parquet, COMPRESSION ${day.codec})`;
  const glob = (name: string, timeframe?: string) =>
    `'${day.root}/bronze/${name}/${timeframe ? `timeframe=${timeframe}/` : ''}` +
    `exchange=${day.exchange}/symbol=${day.symbol}/dt=${day.dt}/*/*.parquet'`;
  const read = (name: string, timeframe?: string) => `read_parquet(${glob(name, timeframe)}, hive_partitioning = false)`;
  const start = `TIMESTAMPTZ '${day.dt} 00:00:00+00'`;
  const inDay = (column: string) => `${column} >= ${start} AND ${column} < ${start} + INTERVAL 1 DAY`;
  const derived = KLINE_TIMEFRAMES.filter((t) => t !== '1m').map((tf): [string, string] => [
    `klines ${tf}`,
    `COPY (SELECT time_bucket(INTERVAL ${DERIVED_MINUTES[tf]} MINUTE, open_time) AS open_time, arg_min(open, open_time) AS open,
      max(high) AS high, min(low) AS low, arg_max(close, open_time) AS close, sum(volume) AS volume,
      sum(quote_volume) AS quote_volume, sum(trade_count) AS trade_count,
      count(*) AS minutes FROM sk GROUP BY 1 ORDER BY 1) TO ${o(`klines_${tf}`)} ${opts}`,
  ]);
  const klinesAndTrades: [string, string][] = [
    [
      'klines 1m: last closed update per minute',
      `CREATE TEMP TABLE sk AS SELECT * FROM ${read('klines', '1m')} WHERE ${inDay('open_time')}
      QUALIFY row_number() OVER (PARTITION BY open_time ORDER BY is_closed DESC, ingest_time DESC) = 1 ORDER BY open_time`,
    ],
    ['klines 1m write', `COPY sk TO ${o('klines_1m')} ${opts}`],
    ...derived,
    [
      'trades: first copy per trade_id by ingest_time, sorted',
      `CREATE TEMP TABLE st AS SELECT * FROM ${read('trades')}
      WHERE ${inDay('event_time')} AND price > 0 AND qty > 0
      QUALIFY row_number() OVER (PARTITION BY trade_id ORDER BY ingest_time) = 1 ORDER BY trade_id`,
    ],
    ['trades write', `COPY st TO ${o('trades')} ${opts}`],
  ];
  // One second's trades: OHLC by (event time, trade id), as buildBars1s orders them.
  const tradeBars = `SELECT date_trunc('second', event_time) AS ts, arg_min(price, {'t': event_time, 'id': trade_id}) AS open,
      max(price) AS high, min(price) AS low, arg_max(price, {'t': event_time, 'id': trade_id}) AS close, sum(qty) AS volume,
      sum(quote_qty) AS quote_volume, sum(price * qty) / nullif(sum(qty), 0) AS vwap, count(*) AS trade_count,
      max(ingest_time) AS ingest_time
    FROM st GROUP BY 1`;
  const meta = `'${day.base}' AS base, '${day.quote}' AS quote, ingest_time, '${day.source}' AS source`;
  if (!day.book)
    return [
      ...klinesAndTrades,
      [
        'bars_1s: build and write',
        `COPY (SELECT ts, open, high, low, close, volume, quote_volume, vwap, trade_count, NULL::DOUBLE AS bid,
        NULL::DOUBLE AS ask, NULL::DOUBLE AS spread, ${meta}, 0 AS quality_flags
      FROM (${tradeBars}) ORDER BY ts) TO ${o('bars_1s')} ${opts}`,
      ],
    ];
  return [
    ...klinesAndTrades,
    [
      'quotes: first copy per update_id, sorted',
      `CREATE TEMP TABLE sq AS SELECT * FROM ${read('quotes')}
      WHERE ${inDay('event_time')} AND bid_px < ask_px QUALIFY row_number() OVER (PARTITION BY update_id ORDER BY ingest_time) = 1
      ORDER BY event_time, update_id`,
    ],
    ['quotes write', `COPY sq TO ${o('quotes')} ${opts}`],
    [
      'book_top10: first copy per last_update_id, sorted, written',
      `COPY (SELECT * FROM ${read('book_top10')}
      WHERE ${inDay('event_time')} AND (bid_px_1 IS NULL OR ask_px_1 IS NULL OR bid_px_1 < ask_px_1)
      QUALIFY row_number() OVER (PARTITION BY last_update_id ORDER BY ingest_time) = 1
      ORDER BY event_time, last_update_id) TO ${o('book_top10')} ${opts}`,
    ],
    [
      'bars_1s: build and write',
      `COPY (
      WITH tb AS (${tradeBars}),
      qb AS (SELECT date_trunc('second', event_time) AS ts, arg_max(bid_px, event_time) AS bid, arg_max(ask_px, event_time) AS ask
        FROM sq GROUP BY 1),
      s AS (SELECT ts FROM tb UNION SELECT ts FROM qb),
      j AS (
        SELECT s.ts, tb.open, tb.high, tb.low, tb.close, coalesce(tb.volume, 0) AS volume, coalesce(tb.quote_volume, 0) AS quote_volume,
          tb.vwap,
          coalesce(tb.trade_count, 0) AS trade_count,
          last_value(qb.bid IGNORE NULLS) OVER w AS bid, last_value(qb.ask IGNORE NULLS) OVER w AS ask, tb.ingest_time
        FROM s LEFT JOIN tb ON tb.ts = s.ts LEFT JOIN qb ON qb.ts = s.ts
        WINDOW w AS (ORDER BY s.ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
      SELECT ts, open, high, low, close, volume, quote_volume, vwap, trade_count, bid, ask,
        CASE WHEN ask >= bid THEN ask - bid END AS spread,
        ${meta}, CASE WHEN trade_count = 0 THEN 16 ELSE 0 END AS quality_flags
      FROM j ORDER BY ts) TO ${o('bars_1s')} ${opts}`,
    ],
  ];
}
