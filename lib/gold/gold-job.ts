import { discoverPartitions } from '../lake/discover';
import { putTable } from '../parquet/write';
import { dataset } from '../schema/registry';
import { partitionFileKey } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import { Table } from '../table/table';
import { deriveBars } from '../silver/derive-klines';
import { validateFeatures, type FeatureValidity } from './validity';
import { computeFeatures } from './features';
import { loadGoldInputs, loadSilver1m } from './load-inputs';

export { loadSilver1m };

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

async function buildGoldPartition(store: ObjectStore, exchange: string, symbol: string, dt: string): Promise<GoldResult> {
  const features = computeFeatures(await loadGoldInputs(store, exchange, symbol, dt), dt);
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
