import { InvalidArgumentError, Option } from 'commander';
import { IMPORT_DATASETS } from '../history/import-archive';
import { ARCHIVE_IMPORT_DATASETS } from '../history/import-archive-dataset';
import { EXCHANGES, KLINE_TIMEFRAMES, type ExchangeId } from '../schema/columns';
import { dayStart } from '../storage/lake-paths';
import { SOURCES, type SourceId } from '../exchanges/registry';

/**
 * The values `lakehouse` flags take, checked while the command line is parsed: a bad date, symbol, exchange,
 * interval or URL is one line naming the flag and what it expects (README.md, "The `lakehouse` CLI"), before a
 * lake is opened or a file read.
 */

export const date = (value: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  try {
    dayStart(value);
  } catch {
    throw new InvalidArgumentError('expected a date YYYY-MM-DD that exists in the calendar');
  }
  return value;
};

/**
 * A UTC instant as epoch ms: a date (its midnight) or a date and time ending in Z, e.g. 2024-05-06T09:30Z
 * (a time without a zone would depend on the machine's).
 */
export const isoTime = (value: string): number => {
  const match = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z)?$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected a UTC date or time, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z');
  const ms = Date.parse(match[2] ? value : `${value}T00:00:00Z`);
  // Date.parse rolls 2024-02-30 over to March 1st: the day must exist as written.
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== match[1]) {
    throw new InvalidArgumentError('expected a UTC time that exists in the calendar, e.g. 2024-05-06T09:30Z');
  }
  return ms;
};

const oneOf =
  <T extends string>(allowed: readonly T[]) =>
  (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
    return value as T;
  };

export const exchange: (value: string) => ExchangeId = oneOf(EXCHANGES);
export const source: (value: string) => SourceId = oneOf(SOURCES);
export const klineInterval: (value: string) => string = oneOf(KLINE_TIMEFRAMES);

/** `import --dataset` names: klines and the other archive datasets, spelled as data.binance.vision spells them. */
export const IMPORT_DATASET_NAMES: readonly string[] = [...IMPORT_DATASETS, ...ARCHIVE_IMPORT_DATASETS];
/** Lower-case spellings `import` named before it read these datasets (docs/import.md), kept as aliases. */
const IMPORT_DATASET_ALIASES: Readonly<Record<string, string>> = {
  aggtrades: 'aggTrades',
  funding: 'fundingRate',
  open_interest: 'metrics',
};

export const importDataset = (value: string): string => {
  const name = IMPORT_DATASET_ALIASES[value] ?? value;
  if (IMPORT_DATASET_NAMES.includes(name)) return name;
  throw new InvalidArgumentError(`expected one of ${IMPORT_DATASET_NAMES.join(', ')}`);
};

/**
 * A market symbol as exchanges spell them (BTCUSDT, BTC/USD, BTC-USDC), upper-cased: letters and digits, runs of
 * them joined by one of / - _ : . so that a stray space, quote or '=' (which no partition folder can hold) is refused.
 */
const SYMBOL = /^[A-Z0-9]+(?:[/\-_:.][A-Z0-9]+)*$/;
const MAX_SYMBOL_CHARS = 40;

export const symbol = (value: string): string => {
  const upper = value.trim().toUpperCase();
  if (!upper) throw new InvalidArgumentError('expected a symbol, e.g. BTCUSDT');
  if (!SYMBOL.test(upper) || upper.length > MAX_SYMBOL_CHARS) {
    throw new InvalidArgumentError('expected a symbol such as BTCUSDT or BTC/USD (letters and digits, joined by / - _ : .)');
  }
  return upper;
};

export const symbolList = (value: string): string[] => {
  const list = value
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (!list.length) throw new InvalidArgumentError('expected a comma-separated list of symbols');
  return list.map((item) => {
    try {
      return symbol(item);
    } catch {
      throw new InvalidArgumentError(`'${item}' is not a symbol (expected e.g. BTCUSDT,ETHUSDT)`);
    }
  });
};

export const positiveInt = (value: string): number => {
  const parsed = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError('expected a positive whole number');
  return parsed;
};

const urlOf =
  (protocols: readonly string[]) =>
  (value: string): string => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new InvalidArgumentError('expected a URL');
    }
    if (!protocols.includes(url.protocol))
      throw new InvalidArgumentError(`expected a ${protocols.map((p) => `${p}//`).join(' or ')} URL`);
    return value;
  };
export const wsUrl = urlOf(['ws:', 'wss:']);
export const httpUrl = urlOf(['http:', 'https:']);

/** A path the user must spell out: an empty string (an unset shell variable) is not the current folder. */
export const path =
  (what: string) =>
  (value: string): string => {
    if (!value.trim()) throw new InvalidArgumentError(`expected ${what}, got an empty string`);
    return value;
  };

export const sql = (value: string): string => {
  if (!value.trim()) throw new InvalidArgumentError('expected SQL, got an empty string');
  return value;
};

export const lakeOption = () =>
  new Option('--lake <dir>', 'lake folder (or s3://bucket/prefix)')
    .default('./lake')
    .argParser(path('a lake folder or s3://bucket/prefix'));
