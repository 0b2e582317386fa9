import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import type { BadFile } from '../lake/bad-files';
import { LakeQueryEngine } from '../local/duckdb-lake';
import { symbolPathValue } from '../storage/lake-paths';
import { NothingMatchedError, UserError } from '../util/errors';
import {
  copySql,
  firstBarStart,
  longSliceSql,
  rowsInRangeSql,
  wideSliceSql,
  type SliceFormat,
  type SliceMarket,
} from './slice-sql';
import { sliceColumns, sliceSource, type SliceLayer, type SliceSource, type SliceTimeframe } from './slice-source';

/**
 * `lakehouse slice`: an aligned export of Silver or Gold for notebooks, written by DuckDB's COPY straight from the
 * lake's views to a Parquet or CSV file, so a long range never passes through Node's memory (docs/slice.md).
 */

export interface SliceRequest {
  /** A local lake folder. */
  lake: string;
  symbols: readonly string[];
  /** Needed only when a symbol has rows on several exchanges. */
  exchange?: string;
  startMs: number;
  /** Exclusive. */
  endMs: number;
  tf: SliceTimeframe;
  layer: SliceLayer;
  /** The value columns; every column of the dataset when absent. data_ok and quality_flags are always there. */
  columns?: readonly string[];
  wide: boolean;
  out: string;
  onBadFile?: (file: BadFile) => void;
  /** Told about a symbol that has no row in the range while others have (its columns are all null). */
  onEmptyMarket?: (market: SliceMarket) => void;
}

export interface SliceSummary {
  out: string;
  format: SliceFormat;
  view: string;
  timeframe: SliceTimeframe;
  shape: 'long' | 'wide';
  start: string;
  end: string;
  /** Rows written: grid times (wide) or grid times × symbols (long). */
  rows: number;
  columns: number;
  /** Each symbol, the exchange it was read from and its rows of the view in the range. */
  markets: { exchange: string; symbol: string; rows: number }[];
}

/** The format the file name asks for; any other extension is a UserError. */
export function sliceFormat(out: string): SliceFormat {
  const ext = path.extname(out).toLowerCase();
  if (ext === '.parquet') return 'parquet';
  if (ext === '.csv') return 'csv';
  throw new UserError(`--out ${out}: expected a file name ending in .parquet or .csv`);
}

/** Checks everything the request alone can get wrong, before the lake is read. */
export async function checkSliceRequest(
  request: SliceRequest,
): Promise<{ source: SliceSource; format: SliceFormat; columns: string[] }> {
  const iso = (ms: number) => new Date(ms).toISOString();
  if (request.startMs >= request.endMs)
    throw new UserError(`--start ${iso(request.startMs)} is not before --end ${iso(request.endMs)}`);
  const source = sliceSource(request.layer, request.tf);
  if (firstBarStart(request.startMs, source.stepMs) >= request.endMs) {
    throw new UserError(`no ${request.tf} bar starts between ${iso(request.startMs)} and ${iso(request.endMs)}`);
  }
  const format = sliceFormat(request.out);
  const folder = path.dirname(path.resolve(request.out));
  const stat = await fs.stat(folder).catch(() => undefined);
  if (!stat?.isDirectory()) throw new UserError(`--out ${request.out}: ${folder} ${stat ? 'is not a folder' : 'does not exist'}`);
  const writable = await fs.access(folder, fsConstants.W_OK).then(
    () => true,
    () => false,
  );
  if (!writable) throw new UserError(`--out ${request.out}: cannot write in ${folder}`);
  return { source, format, columns: sliceColumns(source, request.columns) };
}

export async function runSlice(request: SliceRequest): Promise<SliceSummary> {
  const { source, format, columns } = await checkSliceRequest(request);
  const engine = await LakeQueryEngine.open(request.lake, { onBadFile: request.onBadFile });
  try {
    const markets = await resolveMarkets(engine, source, request);
    const empty = markets.filter((m) => m.rows === 0);
    if (empty.length === markets.length) {
      const where = markets.map((m) => `${m.exchange}/${m.symbol}`).join(', ');
      throw new NothingMatchedError(
        `nothing to slice: ${source.label} has no rows for ${where} ` +
          `from ${new Date(request.startMs).toISOString()} to ${new Date(request.endMs).toISOString()}`,
      );
    }
    for (const m of empty) request.onEmptyMarket?.(m);
    const range = { startMs: request.startMs, endMs: request.endMs };
    const query = request.wide ? wideSliceSql(source, markets, range, columns) : longSliceSql(source, markets, range, columns);
    const rows = await copyAtomically(engine, query, request.out, format);
    return {
      out: request.out,
      format,
      view: source.view,
      timeframe: request.tf,
      shape: request.wide ? 'wide' : 'long',
      start: new Date(request.startMs).toISOString(),
      end: new Date(request.endMs).toISOString(),
      rows,
      columns: 1 + (request.wide ? markets.length * (columns.length + 2) : 2 + 2 + columns.length),
      markets: markets.map(({ exchange, symbol, rows: held }) => ({ exchange, symbol, rows: held })),
    };
  } finally {
    engine.close();
  }
}

/**
 * Which exchange each symbol is read from, and how many rows it has in the range. A symbol the view holds on no
 * exchange is a UserError (a typo); one it holds on several needs --exchange.
 */
async function resolveMarkets(
  engine: LakeQueryEngine,
  source: SliceSource,
  request: SliceRequest,
): Promise<(SliceMarket & { rows: number })[]> {
  const symbols = [...new Set(request.symbols)];
  const partitions = symbols.map(symbolPathValue);
  const filters = (ps: readonly string[]) => ps.map((partition) => ({ partition, exchange: request.exchange }));
  const range = { startMs: request.startMs, endMs: request.endMs };
  const inRange = await engine.query(
    `SELECT exchange, symbol, count(*) AS n FROM (${rowsInRangeSql(source, filters(partitions), range)}) GROUP BY exchange, symbol`,
  );
  const missing = partitions.filter((p) => !inRange.rows.some((r) => r.symbol === p));
  // Only the symbols without rows in the range are looked for over the whole view: their partitions alone are read.
  const anywhere = missing.length
    ? await engine.query(`SELECT DISTINCT exchange, symbol FROM (${rowsInRangeSql(source, filters(missing), ALL_TIME)})`)
    : { rows: [] };
  return symbols.map((symbol, i) => {
    const partition = partitions[i];
    const held = inRange.rows.filter((r) => r.symbol === partition);
    const exchanges = (held.length ? held : anywhere.rows.filter((r) => r.symbol === partition)).map((r) => String(r.exchange));
    if (!exchanges.length) {
      throw new UserError(
        `unknown symbol ${symbol}: ${source.label} has no rows of it${request.exchange ? ` on ${request.exchange}` : ''}`,
      );
    }
    if (exchanges.length > 1)
      throw new UserError(`${symbol} is on ${exchanges.sort().join(' and ')} in ${source.label}: name one with --exchange`);
    const rows = Number(held[0]?.n ?? 0);
    return { exchange: exchanges[0], symbol, partition, rows };
  });
}

/** A range holding every row a lake can hold (exchange data starts in 2013; dt is compared as text). */
const ALL_TIME = { startMs: Date.UTC(1970, 0, 2), endMs: Date.UTC(9999, 0, 1) };

/** COPY to a temporary file beside `out`, renamed over it once complete: a failed slice leaves no half file. */
async function copyAtomically(engine: LakeQueryEngine, query: string, out: string, format: SliceFormat): Promise<number> {
  const temp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.tmp`);
  try {
    const result = await engine.query(copySql(query, temp, format));
    await fs.rename(temp, out);
    return Number(Object.values(result.rows[0] ?? {})[0] ?? 0);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}
