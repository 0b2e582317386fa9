import { columnSql, ident, QUALITY_COLUMNS, type SliceSource } from './slice-source';

/**
 * The SQL of `lakehouse slice`: the view's rows of the range, with the partition keys and the time pushed down,
 * joined onto the full grid of the timeframe's bar starts (start <= t < end), long (one row per time and symbol)
 * or wide (one row per time, `<symbol>__<column>`). A grid time a market has no row for is a row of nulls with
 * data_ok false and quality_flags null.
 */

export interface SliceMarket {
  exchange: string;
  /** The symbol as the user named it (upper case), used in the wide column names. */
  symbol: string;
  /** The symbol's `symbol` partition value ('/' written as '-'). */
  partition: string;
}

/** A market to read: a symbol's partition value, on one exchange or (to find out which) on any. */
export type MarketFilter = Pick<SliceMarket, 'partition'> & { exchange?: string };

export interface SliceRange {
  startMs: number;
  endMs: number;
}

const text = (s: string) => `'${s.replace(/'/g, "''")}'`;
const DAY_MS = 86_400_000;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The first bar start at or after `startMs`: bars of every timeframe start on multiples of its length since the epoch. */
export const firstBarStart = (startMs: number, stepMs: number) => Math.ceil(startMs / stepMs) * stepMs;

/**
 * The view's rows of `markets` in the range. The `dt` bounds prune partitions (a day either side, so a row filed
 * under a neighbouring day, such as a 1d bar or a minute at midnight, is still read); the time bounds cut exactly.
 */
export function rowsInRangeSql(source: SliceSource, markets: readonly MarketFilter[], range: SliceRange): string {
  const time = ident(source.timeColumn);
  const conditions = [
    ...source.filters,
    `dt >= ${text(dateOf(range.startMs - DAY_MS))}`,
    `dt <= ${text(dateOf(range.endMs))}`,
    `${time} >= epoch_ms(${range.startMs})`,
    `${time} < epoch_ms(${range.endMs})`,
    `(${markets.map((m) => `(${m.exchange ? `exchange = ${text(m.exchange)} AND ` : ''}symbol = ${text(m.partition)})`).join(' OR ')})`,
  ];
  return `SELECT * FROM ${ident(source.view)} WHERE ${conditions.join(' AND ')}`;
}

function gridSql(source: SliceSource, range: SliceRange): string {
  const first = firstBarStart(range.startMs, source.stepMs);
  return `SELECT range AS "time" FROM range(epoch_ms(${first}), epoch_ms(${range.endMs}), INTERVAL '${source.stepMs} milliseconds')`;
}

/** The query of a long slice: time, exchange, symbol, data_ok, quality_flags, then `columns`; ordered by time, then symbol as named. */
export function longSliceSql(
  source: SliceSource,
  markets: readonly SliceMarket[],
  range: SliceRange,
  columns: readonly string[],
): string {
  const marketRows = markets.map((m, i) => `(${i}, ${text(m.exchange)}, ${text(m.symbol)}, ${text(m.partition)})`).join(', ');
  const values = [...QUALITY_COLUMNS, ...columns].map((c) => `${columnSql(source, 'd', c)} AS ${ident(c)}`);
  return [
    `WITH grid AS (${gridSql(source, range)}),`,
    `markets(ord, exchange, symbol, partition) AS (VALUES ${marketRows}),`,
    `data AS (${rowsInRangeSql(source, markets, range)})`,
    `SELECT g."time", m.exchange, m.symbol, ${values.join(', ')}`,
    'FROM grid g CROSS JOIN markets m',
    `LEFT JOIN data d ON d.exchange = m.exchange AND d.symbol = m.partition AND d.${ident(source.timeColumn)} = g."time"`,
    'ORDER BY g."time", m.ord',
  ].join('\n');
}

/** The query of a wide slice: time, then per market `<symbol>__data_ok`, `<symbol>__quality_flags`, `<symbol>__<column>`... */
export function wideSliceSql(
  source: SliceSource,
  markets: readonly SliceMarket[],
  range: SliceRange,
  columns: readonly string[],
): string {
  const values: string[] = [];
  const joins: string[] = [];
  markets.forEach((m, i) => {
    const alias = `d${i}`;
    for (const c of [...QUALITY_COLUMNS, ...columns])
      values.push(`${columnSql(source, alias, c)} AS ${ident(`${m.symbol}__${c}`)}`);
    joins.push(
      `LEFT JOIN data ${alias} ON ${alias}.exchange = ${text(m.exchange)} AND ${alias}.symbol = ${text(m.partition)} ` +
        `AND ${alias}.${ident(source.timeColumn)} = g."time"`,
    );
  });
  return [
    `WITH grid AS (${gridSql(source, range)}),`,
    `data AS (${rowsInRangeSql(source, markets, range)})`,
    `SELECT g."time", ${values.join(', ')}`,
    'FROM grid g',
    ...joins,
    'ORDER BY g."time"',
  ].join('\n');
}

export type SliceFormat = 'parquet' | 'csv';

/** COPY of `query` to `file`, streamed by DuckDB. */
export function copySql(query: string, file: string, format: SliceFormat): string {
  const options = format === 'parquet' ? 'FORMAT parquet, COMPRESSION zstd' : 'FORMAT csv, HEADER true';
  return `COPY (\n${query}\n) TO ${text(file)} (${options})`;
}
