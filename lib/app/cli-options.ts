import { InvalidArgumentError, Option } from 'commander';
import { IMPORT_DATASETS } from '../history/import-archive';
import { EXCHANGES, KLINE_TIMEFRAMES, type ExchangeId } from '../schema/columns';
import { dayStart } from '../storage/lake-paths';
import { SOURCES, type SourceId } from '../exchanges/registry';

/**
 * The values `lakehouse` flags take, checked while the command line is parsed: a bad date, symbol, exchange,
 * interval or URL is one line naming the flag and what it expects (README.md, "The `lakehouse` CLI"), before a
 * lake is opened or a file read.
 */

export const date = (v: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  try {
    dayStart(v);
  } catch {
    throw new InvalidArgumentError('expected a date YYYY-MM-DD that exists in the calendar');
  }
  return v;
};

const oneOf = <T extends string>(allowed: readonly T[]) => (v: string): T => {
  if (!(allowed as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
  return v as T;
};

export const exchange: (v: string) => ExchangeId = oneOf(EXCHANGES);
export const source: (v: string) => SourceId = oneOf(SOURCES);
export const klineInterval: (v: string) => string = oneOf(KLINE_TIMEFRAMES);

/** Datasets Binance publishes archives of; `import` reads some of them so far. */
const ARCHIVE_DATASETS = ['klines', 'trades', 'aggtrades', 'funding', 'open_interest'];

export const importDataset = (v: string): string => {
  if ((IMPORT_DATASETS as readonly string[]).includes(v)) return v;
  if (ARCHIVE_DATASETS.includes(v)) {
    throw new InvalidArgumentError(`import of '${v}' archives is not supported yet (supported: ${IMPORT_DATASETS.join(', ')})`);
  }
  throw new InvalidArgumentError(`expected one of ${IMPORT_DATASETS.join(', ')}`);
};

/**
 * A market symbol as exchanges spell them (BTCUSDT, BTC/USD, BTC-USDC), upper-cased: letters and digits, runs of
 * them joined by one of / - _ : . so that a stray space, quote or '=' (which no partition folder can hold) is refused.
 */
const SYMBOL = /^[A-Z0-9]+(?:[/\-_:.][A-Z0-9]+)*$/;
const MAX_SYMBOL_CHARS = 40;

export const symbol = (v: string): string => {
  const s = v.trim().toUpperCase();
  if (!s) throw new InvalidArgumentError('expected a symbol, e.g. BTCUSDT');
  if (!SYMBOL.test(s) || s.length > MAX_SYMBOL_CHARS) {
    throw new InvalidArgumentError('expected a symbol such as BTCUSDT or BTC/USD (letters and digits, joined by / - _ : .)');
  }
  return s;
};

export const symbolList = (v: string): string[] => {
  const list = v.split(',').map((x) => x.trim()).filter(Boolean);
  if (!list.length) throw new InvalidArgumentError('expected a comma-separated list of symbols');
  return list.map((s) => {
    try {
      return symbol(s);
    } catch {
      throw new InvalidArgumentError(`'${s}' is not a symbol (expected e.g. BTCUSDT,ETHUSDT)`);
    }
  });
};

export const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!/^\s*\d+\s*$/.test(v) || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};

const urlOf = (protocols: readonly string[]) => (v: string): string => {
  let u: URL;
  try { u = new URL(v); } catch { throw new InvalidArgumentError('expected a URL'); }
  if (!protocols.includes(u.protocol)) throw new InvalidArgumentError(`expected a ${protocols.map((p) => `${p}//`).join(' or ')} URL`);
  return v;
};
export const wsUrl = urlOf(['ws:', 'wss:']);
export const httpUrl = urlOf(['http:', 'https:']);

/** A path the user must spell out: an empty string (an unset shell variable) is not the current folder. */
export const path = (what: string) => (v: string): string => {
  if (!v.trim()) throw new InvalidArgumentError(`expected ${what}, got an empty string`);
  return v;
};

export const sql = (v: string): string => {
  if (!v.trim()) throw new InvalidArgumentError('expected SQL, got an empty string');
  return v;
};

export const lakeOption = () => new Option('--lake <dir>', 'lake folder (or s3://bucket/prefix)').default('./lake')
  .argParser(path('a lake folder or s3://bucket/prefix'));
