import { discoverPartitions } from '../lake/discover';
import { readTable } from '../parquet/read';
import { putTable } from '../parquet/write';
import { dataset } from '../schema/registry';
import { addDays, partitionFileKey, partitionPrefix } from '../storage/lake-paths';
import { listAll, type ObjectStore } from '../storage/object-store';
import { Table } from '../table/table';
import { deriveBars } from '../silver/derive-klines';
import { validateFeatures, type FeatureValidity } from './validity';
import { WARMUP_DAYS, computeFeatures } from './features';

/**
 * `lakehouse gold`: rebuilds Gold for one date from Silver: `features_1m` (with warm-up read from the previous
 * days' Silver, so a day equals a one-pass computation) and the analyst `ohlcv_{tf}` tables.
 */

export interface GoldOptions {
  store: ObjectStore;
  dt: string;
  exchange?: string;
  symbol?: string;
  onProgress?(msg: string): void;
}

export interface GoldResult {
  exchange: string;
  symbol: string;
  dt: string;
  rows: number;
  dataOkRows: number;
  validity: FeatureValidity;
  files: string[];
}

export const OHLCV_TIMEFRAMES = ['5m', '15m', '30m', '1h', '4h', '1d'] as const;

export async function runGold(o: GoldOptions): Promise<GoldResult[]> {
  const silver = dataset('silver', 'klines');
  const parts = await discoverPartitions(o.store, silver, { timeframe: '1m', dt: o.dt, exchange: o.exchange, symbol: o.symbol });
  const results: GoldResult[] = [];
  for (const p of parts) {
    o.onProgress?.(`gold ${p.exchange} ${p.symbol} ${o.dt}`);
    results.push(await buildGoldPartition(o.store, p.exchange, p.symbol, o.dt));
  }
  return results;
}

/**
 * Silver 1m bars of `dt` and the warm-up days before it that exist, in time order. Which days exist comes from
 * one listing, not from probing each key: with prefix-scoped IAM, S3 answers a missing key with 403, not 404.
 */
export async function loadSilver1m(store: ObjectStore, exchange: string, symbol: string, dt: string, warmupDays: number): Promise<Table> {
  const spec = dataset('silver', 'klines');
  const wanted = new Set(Array.from({ length: warmupDays + 1 }, (_, k) => partitionFileKey(spec, { timeframe: '1m', exchange, symbol, dt: addDays(dt, k - warmupDays) })));
  const present = (await listAll(store, partitionPrefix(spec, { timeframe: '1m', exchange, symbol }))).map((o) => o.key).filter((k) => wanted.has(k)).sort();
  const tables: Table[] = [];
  for (const key of present) tables.push(await readTable(store, spec, key));
  return Table.concat(spec, tables);
}

async function buildGoldPartition(store: ObjectStore, exchange: string, symbol: string, dt: string): Promise<GoldResult> {
  const bars = await loadSilver1m(store, exchange, symbol, dt, WARMUP_DAYS);
  const features = computeFeatures(bars, dt);
  const files: string[] = [];
  const spec = dataset('gold', 'features_1m');
  const key = partitionFileKey(spec, { exchange, symbol, dt });
  await putTable(store, key, features);
  files.push(key);

  const day = await loadSilver1m(store, exchange, symbol, dt, 0);
  for (const tf of OHLCV_TIMEFRAMES) {
    const ohlcv = dataset('gold', `ohlcv_${tf}`);
    const k = partitionFileKey(ohlcv, { exchange, symbol, dt });
    await putTable(store, k, Table.fromRows(ohlcv, deriveBars(day, tf)));
    files.push(k);
  }
  const dataOk = features.bool('data_ok');
  return {
    exchange, symbol, dt, rows: features.length, dataOkRows: dataOk.filter(Boolean).length,
    validity: validateFeatures(features), files,
  };
}
