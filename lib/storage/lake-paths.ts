import type { DatasetSpec, PartitionValues } from '../schema/types';
import { DAY_MS, HOUR_MS } from '../util/time';

/**
 * Hive-style object keys of the lake (docs/architecture.md#lake-layout-and-datasets), the same under S3 and a local
 * folder:
 *   bronze/{dataset}/[timeframe=..]/exchange=../symbol=../dt=YYYY-MM-DD/hour=HH/part-{start}-{uuid}.parquet
 *   silver|gold/{dataset}/[timeframe=..]/exchange=../symbol=../dt=YYYY-MM-DD/data.parquet
 */

/** Symbols are kept as the exchange spells them; '/' (Kraken's BTC/USD) cannot sit in a path segment. */
export function symbolPathValue(symbol: string): string {
  return symbol.replace(/\//g, '-');
}

export function dateOf(ms: number): string {
  return new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

export function hourOf(ms: number): number {
  return Math.floor((ms % DAY_MS) / HOUR_MS);
}

export function dayStart(dt: string): number {
  const ms = Date.parse(`${dt}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dt) || Number.isNaN(ms) || dateOf(ms) !== dt)
    throw new Error(`invalid date '${dt}', expected YYYY-MM-DD`);
  return ms;
}

/** A real calendar date written YYYY-MM-DD (dayStart rejects 2024-02-30 and 2024-3-9). */
export function isDate(dt: string): boolean {
  try {
    dayStart(dt);
    return true;
  } catch {
    return false;
  }
}

export function addDays(dt: string, days: number): string {
  return dateOf(dayStart(dt) + days * DAY_MS);
}

/** Dates from `from` to `to`, both included. */
export function dateRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let day = dayStart(from), end = dayStart(to); day <= end; day += DAY_MS) out.push(dateOf(day));
  return out;
}

/** Key prefix of one partition (ends with '/'). Keys absent from `values` stop the prefix there. */
export function partitionPrefix(spec: DatasetSpec, values: Partial<PartitionValues>): string {
  let prefix = `${spec.layer}/${spec.name}/`;
  for (const key of spec.partitionKeys) {
    const value = values[key.name];
    if (value === undefined) break;
    const text =
      key.name === 'hour'
        ? String(value).padStart(2, '0')
        : key.name === 'symbol'
          ? symbolPathValue(String(value))
          : String(value);
    prefix += `${key.name}=${text}/`;
  }
  return prefix;
}

/** Whether `values` names every partition key of the dataset. */
export function isFullPartition(spec: DatasetSpec, values: Partial<PartitionValues>): boolean {
  return spec.partitionKeys.every((k) => values[k.name] !== undefined);
}

/** Key of the single data file of a Silver/Gold partition. */
export function partitionFileKey(spec: DatasetSpec, values: PartitionValues): string {
  if (!isFullPartition(spec, values))
    throw new Error(`partition of ${spec.layer}/${spec.name} needs ${spec.partitionKeys.map((k) => k.name).join(', ')}`);
  return `${partitionPrefix(spec, values)}data.parquet`;
}

/**
 * Who wrote a Bronze file, told by its id: the live collector uses a random UUID; the archive import and the
 * REST backfill use `archive-…` / `rest-…` ids derived from their input, so re-running them rewrites the same
 * objects (and freshness checks can tell backfilled data from live data).
 */
export type BronzeWriter = 'live' | 'archive' | 'rest';

export function bronzeFileId(writer: Exclude<BronzeWriter, 'live'>, digest: string): string {
  return `${writer}-${digest.slice(0, 16)}`;
}

const BRONZE_FILE = /\/part-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-((archive|rest)-)?[^/]*\.parquet$/;

/** Start time and writer of a Bronze file from its key, or undefined for keys that are not Bronze files. */
export function parseBronzeFileKey(key: string): { startMs: number; writer: BronzeWriter } | undefined {
  const match = BRONZE_FILE.exec(key);
  if (!match) return undefined;
  return {
    startMs: Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6]),
    writer: (match[8] as BronzeWriter | undefined) ?? 'live',
  };
}

/** Key of one Bronze flush file; `startMs` is the first event time it holds. */
export function bronzeFileKey(spec: DatasetSpec, values: PartitionValues, startMs: number, uuid: string): string {
  if (!isFullPartition(spec, values))
    throw new Error(`partition of ${spec.layer}/${spec.name} needs ${spec.partitionKeys.map((k) => k.name).join(', ')}`);
  const start = new Date(startMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${partitionPrefix(spec, values)}part-${start}-${uuid}.parquet`;
}

/** Partition values encoded in a key (`exchange=binance/...`); hour parsed as a number. */
export function parsePartitionKey(key: string): Partial<PartitionValues> {
  const out: Partial<PartitionValues> = {};
  for (const seg of key.split('/')) {
    const eq = seg.indexOf('=');
    if (eq <= 0) continue;
    const name = seg.slice(0, eq);
    const value = seg.slice(eq + 1);
    if (name === 'hour') out.hour = Number(value);
    else if (name === 'timeframe' || name === 'exchange' || name === 'symbol' || name === 'dt') out[name] = value;
  }
  return out;
}
