import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isFileableSymbol } from '../exchanges/symbols';
import { EXCHANGES, KLINE_TIMEFRAMES, type ExchangeId } from '../schema/columns';
import { fileSystemProblem, UserError } from '../util/errors';
import type { TimeUnit } from './binance-klines-archive';

/**
 * The mapping file of `lakehouse import --mapping` (docs/history.md, "Mapped import"): which dataset a CSV or Parquet
 * file holds and which of its columns is which. Checked here, field by field, before the data file is opened: a
 * mistake is one line naming the field (`columns.open: …`), never a file of rejected rows.
 */

/** A column by its header or Parquet name, or by its 0-based position. */
export type ColumnRef = string | number;

export type MappedDataset = 'klines' | 'trades';

export const TIME_UNITS: readonly TimeUnit[] = ['s', 'ms', 'us', 'ns', 'iso'];

/** Bronze columns each dataset's mapping may fill from a file column, besides the time. */
export const MAPPED_COLUMNS = {
  klines: {
    required: ['open', 'high', 'low', 'close', 'volume'],
    optional: ['quote_volume', 'trade_count', 'taker_buy_volume', 'taker_buy_quote_volume'],
  },
  trades: {
    required: ['price', 'qty'],
    // One of side / is_buyer_maker, or "infer_side" (checked below); trade_id synthesized when absent.
    optional: ['quote_qty', 'trade_id', 'side', 'is_buyer_maker'],
  },
} as const satisfies Record<MappedDataset, { required: readonly string[]; optional: readonly string[] }>;

export type MappedFormat = { type: 'csv'; header: boolean; delimiter: string } | { type: 'parquet' };

export interface ImportMapping {
  /** The mapping file's base name, for messages. */
  readonly name: string;
  readonly dataset: MappedDataset;
  /** The kline interval; null for trades. */
  readonly interval: string | null;
  readonly format: MappedFormat;
  readonly time: { readonly column: ColumnRef; readonly unit: TimeUnit };
  /** Bronze column → file column, the time excluded. */
  readonly columns: Readonly<Record<string, ColumnRef>>;
  /** Trades without a side column: the side inferred from the price change (docs/history.md). */
  readonly inferSide: 'tick_rule' | null;
  readonly exchange: ExchangeId | null;
  readonly symbol: string | null;
  /** A digest of everything above but the name: the same mapping, however the file is laid out, gives the same id. */
  readonly digest: string;
}

const FIELDS = ['dataset', 'interval', 'format', 'header', 'delimiter', 'time', 'columns', 'infer_side', 'exchange', 'symbol'];

class MappingError extends UserError {
  constructor(name: string, field: string, problem: string) {
    super(`${name}: ${field}: ${problem}`);
    this.name = 'MappingError';
  }
}

const shown = (value: unknown): string => (value === undefined ? 'none' : JSON.stringify(value));

/** Reads and checks a mapping file. */
export async function readImportMapping(file: string): Promise<ImportMapping> {
  const name = path.basename(file);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new UserError(`no such mapping file: ${file}`);
    if (err.code === 'EISDIR') throw new UserError(`${file} is a folder, not a mapping file`);
    throw new UserError(`cannot read the mapping file ${file}: ${fileSystemProblem(err) ?? err.message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${name}: not JSON (${(error as Error).message.split('\n')[0]})`);
  }
  return parseImportMapping(json, name);
}

/** Checks a parsed mapping; `name` prefixes every message. */
export function parseImportMapping(json: unknown, name: string): ImportMapping {
  const fail: (field: string, problem: string) => never = (field, problem) => {
    throw new MappingError(name, field, problem);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UserError(`${name}: a mapping is a JSON object ({"dataset": …, "format": …, "time": …, "columns": …})`);
  }
  const m = json as Record<string, unknown>;
  for (const key of Object.keys(m)) {
    if (!FIELDS.includes(key)) fail(key, `unknown field (a mapping has ${FIELDS.join(', ')})`);
  }

  const dataset = m.dataset;
  if (dataset !== 'klines' && dataset !== 'trades') fail('dataset', `must be "klines" or "trades" (got ${shown(dataset)})`);
  const kind: MappedDataset = dataset === 'klines' ? 'klines' : 'trades';

  let interval: string | null = null;
  if (kind === 'klines') {
    if (typeof m.interval !== 'string' || !(KLINE_TIMEFRAMES as readonly string[]).includes(m.interval)) {
      fail('interval', `klines need one of ${KLINE_TIMEFRAMES.join(', ')} (got ${shown(m.interval)})`);
    }
    interval = m.interval;
  } else if (m.interval !== undefined) fail('interval', 'is for klines; trades have none');

  let format: MappedFormat;
  if (m.format === 'csv') {
    if (typeof m.header !== 'boolean')
      fail('header', `csv needs true (line 1 names the columns) or false (got ${shown(m.header)})`);
    const delimiter = m.delimiter ?? ',';
    if (typeof delimiter !== 'string' || delimiter.length !== 1 || /["\r\n]/.test(delimiter)) {
      fail('delimiter', `must be one character other than a quote or a line break, e.g. "," or "\\t" (got ${shown(delimiter)})`);
    }
    format = { type: 'csv', header: m.header, delimiter };
  } else if (m.format === 'parquet') {
    for (const key of ['header', 'delimiter']) if (m[key] !== undefined) fail(key, 'is for csv files, not parquet');
    format = { type: 'parquet' };
  } else {
    fail('format', `must be "csv" or "parquet" (got ${shown(m.format)})`);
  }
  const byName = format.type === 'parquet' || (format.type === 'csv' && format.header);
  const columnRef = (field: string, value: unknown): ColumnRef => {
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
    if (typeof value === 'string' && value.trim() !== '') {
      if (!byName)
        fail(field, `'${value}' is a name, and the file has no header ("header": false): give the column's 0-based index`);
      return value.trim();
    }
    return fail(field, `must be a column name or a 0-based index (got ${shown(value)})`);
  };

  const time = m.time;
  if (typeof time !== 'object' || time === null || Array.isArray(time)) {
    fail('time', `must be {"column": name or index, "unit": ${TIME_UNITS.join('|')}} (got ${shown(time)})`);
  }
  const t = time as Record<string, unknown>;
  for (const key of Object.keys(t))
    if (key !== 'column' && key !== 'unit') fail(`time.${key}`, 'unknown field (time has column, unit)');
  const timeColumn = columnRef('time.column', t.column);
  if (!TIME_UNITS.includes(t.unit as TimeUnit)) {
    fail('time.unit', `must be one of ${TIME_UNITS.join(', ')}: how the times are written (got ${shown(t.unit)})`);
  }

  const spec = MAPPED_COLUMNS[kind];
  const allowed: readonly string[] = [...spec.required, ...spec.optional];
  const given = m.columns;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    fail('columns', `must be an object of ${kind} columns: ${spec.required.join(', ')} (got ${shown(given)})`);
  }
  const columns: Record<string, ColumnRef> = {};
  for (const [field, value] of Object.entries(given as Record<string, unknown>)) {
    if (!allowed.includes(field)) fail(`columns.${field}`, `not a ${kind} column (${kind} take ${allowed.join(', ')})`);
    columns[field] = columnRef(`columns.${field}`, value);
  }
  for (const field of spec.required) if (!(field in columns)) fail(`columns.${field}`, `missing: ${kind} need it`);

  let inferSide: 'tick_rule' | null = null;
  if (kind === 'trades') {
    const sides = ['side', 'is_buyer_maker'].filter((field) => field in columns);
    if (sides.length > 1) fail('columns.is_buyer_maker', 'give side or is_buyer_maker, not both');
    if (m.infer_side !== undefined) {
      if (m.infer_side !== 'tick_rule')
        fail('infer_side', `the one inference there is is "tick_rule" (got ${shown(m.infer_side)})`);
      if (sides.length) fail('infer_side', `the file has a ${sides[0]} column: infer_side is for files without one`);
      inferSide = 'tick_rule';
    } else if (!sides.length) {
      fail('columns.side', 'trades need the taker side: map a side or is_buyer_maker column, or set "infer_side": "tick_rule"');
    }
  } else if (m.infer_side !== undefined) fail('infer_side', 'is for trades');

  let exchange: ExchangeId | null = null;
  if (m.exchange !== undefined) {
    if (!(EXCHANGES as readonly unknown[]).includes(m.exchange)) {
      fail('exchange', `must be one of ${EXCHANGES.join(', ')} (got ${shown(m.exchange)})`);
    }
    exchange = m.exchange as ExchangeId;
  }
  let symbol: string | null = null;
  if (m.symbol !== undefined) {
    const upper = typeof m.symbol === 'string' ? m.symbol.trim().toUpperCase() : '';
    if (!isFileableSymbol(upper) && !isFileableSymbol(upper, true)) {
      fail('symbol', `must be a symbol such as BTCUSDT or BTC/USD (got ${shown(m.symbol)})`);
    }
    symbol = upper;
  }

  const parsed = {
    dataset: kind,
    interval,
    format: format,
    time: { column: timeColumn, unit: t.unit as TimeUnit },
    // Sorted, so that the order the file lists them in does not change the digest.
    columns: Object.fromEntries(Object.entries(columns).sort(([a], [b]) => a.localeCompare(b))),
    inferSide,
    exchange,
    symbol,
  };
  return { name, ...parsed, digest: createHash('sha256').update(JSON.stringify(parsed)).digest('hex') };
}
