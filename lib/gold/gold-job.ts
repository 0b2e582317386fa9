import { discoverPartitions } from '../lake/discover';
import { putTable } from '../parquet/write';
import { dataset } from '../schema/registry';
import { addDays, dayStart, partitionFileKey, symbolPathValue } from '../storage/lake-paths';
import { perpetualFor } from './perp-mapping';
import type { ObjectStore } from '../storage/object-store';
import { Table } from '../table/table';
import { deriveBars } from '../silver/derive-klines';
import { validateFeatures, type FeatureValidity } from './validity';
import { expectedInputs, summarizeInputs, type InputSummary } from './data-ok';
import { computeFeatures } from './features';
import { loadGoldInputs, loadSilver1m } from './load-inputs';
import {
  logSkipped,
  partitionFailure,
  PartitionsFailedError,
  type PartitionFailure,
  type PartitionRef,
  type SkippedInput,
} from '../lake/build-issues';

export { loadSilver1m };

/**
 * `lakehouse gold`: rebuilds Gold for one date from Silver: `features_1m` (with warm-up read from the previous
 * days' Silver, so a day equals a one-pass computation) and the analyst `ohlcv_{tf}` tables. A Silver input
 * that cannot be read fails its Gold partition only — features computed without a day of warm-up or of the
 * perpetual would be quietly wrong — and the previous Gold stays; the other partitions are built
 * (docs/bad-files.md).
 */

export interface GoldOptions {
  store: ObjectStore;
  dt: string;
  exchange?: string;
  symbol?: string;
  onProgress?(msg: string): void;
  /** Hears of every Silver folder left out because it is not a partition (default: a warning in the log). */
  onSkip?(skipped: SkippedInput): void;
}

export interface GoldResult {
  exchange: string;
  symbol: string;
  dt: string;
  rows: number;
  dataOkRows: number;
  validity: FeatureValidity;
  /** What the day's inputs held (the Gold quality report, also written to reports/gold/). */
  inputs: GoldInputSummary;
  files: string[];
}

export interface GoldInputSummary extends InputSummary {
  klines1mRows: number;
  dailyBars: number;
  bookSnapshots: number;
  perpetual: { exchange: string; symbol: string } | null;
  fundingRows: number;
  openInterestRows: number;
  liquidationRows: number | null;
}

export const OHLCV_TIMEFRAMES = ['5m', '15m', '30m', '1h', '4h', '1d'] as const;

/**
 * The daily schedule's Gold: first the day before `dt` again, for the markets that have Gold there — its last
 * hour's forward labels read `dt`'s bars, which did not exist when it was first built — then `dt` itself. A day's
 * features do not change on the rebuild (they never read ahead); only labels fill in.
 */
export async function runScheduledGold(options: GoldOptions): Promise<{ built: GoldResult[]; relabelled: GoldResult[] }> {
  const previous = addDays(options.dt, -1);
  const gold = dataset('gold', 'features_1m');
  const existing = await discoverPartitions(
    options.store,
    gold,
    { dt: previous, exchange: options.exchange, symbol: options.symbol },
    undefined,
    badFolder(options),
  );
  const relabelled = await buildPartitions(
    options,
    existing.map((p) => ({ exchange: p.exchange, symbol: p.symbol, dt: previous })),
    ' (labels)',
  );
  const built = await buildPartitions(options, await silverPartitions(options), '');
  const failures = [...relabelled.failures, ...built.failures];
  const result = { built: built.results, relabelled: relabelled.results };
  if (failures.length) throw new PartitionsFailedError(result, failures);
  return result;
}

/** Throws PartitionsFailedError (holding the partitions built) after the last partition if any failed. */
export async function runGold(options: GoldOptions): Promise<GoldResult[]> {
  const { results, failures } = await buildPartitions(options, await silverPartitions(options), '');
  if (failures.length) throw new PartitionsFailedError(results, failures);
  return results;
}

const badFolder = (o: GoldOptions) => (key: string, reason: string) => (o.onSkip ?? logSkipped)({ layer: 'gold', key, reason });

async function silverPartitions(options: GoldOptions): Promise<PartitionRef[]> {
  const silver = dataset('silver', 'klines');
  const parts = await discoverPartitions(
    options.store,
    silver,
    { timeframe: '1m', dt: options.dt, exchange: options.exchange, symbol: options.symbol },
    undefined,
    badFolder(options),
  );
  return parts.map((p) => ({ exchange: p.exchange, symbol: p.symbol, dt: options.dt }));
}

async function buildPartitions(
  options: GoldOptions,
  parts: readonly PartitionRef[],
  note: string,
): Promise<{ results: GoldResult[]; failures: PartitionFailure[] }> {
  const results: GoldResult[] = [];
  const failures: PartitionFailure[] = [];
  for (const partition of parts) {
    options.onProgress?.(`gold ${partition.exchange} ${partition.symbol} ${partition.dt}${note}`);
    try {
      results.push(await buildGoldPartition(options.store, partition.exchange, partition.symbol, partition.dt));
    } catch (error) {
      failures.push(partitionFailure('gold', partition, error));
    }
  }
  return { results, failures };
}

async function buildGoldPartition(store: ObjectStore, exchange: string, symbol: string, dt: string): Promise<GoldResult> {
  const inputs = await loadGoldInputs(store, exchange, symbol, dt);
  const features = computeFeatures(inputs, dt);
  const files: string[] = [];
  const spec = dataset('gold', 'features_1m');
  const key = partitionFileKey(spec, { exchange, symbol, dt });
  await putTable(store, key, features);
  files.push(key);

  // The day's own 1m bars are already loaded (between the warm-up and the next day).
  const open = inputs.klines1m.num('open_time');
  const start = dayStart(dt);
  const day = inputs.klines1m.take(Array.from(open.keys()).filter((i) => open[i] >= start && open[i] < start + 86_400_000));
  for (const tf of OHLCV_TIMEFRAMES) {
    const ohlcv = dataset('gold', `ohlcv_${tf}`);
    const k = partitionFileKey(ohlcv, { exchange, symbol, dt });
    await putTable(store, k, Table.fromRows(ohlcv, deriveBars(day, tf)));
    files.push(k);
  }
  const dataOk = features.bool('data_ok');
  const summary: GoldInputSummary = {
    klines1mRows: inputs.klines1m.length,
    dailyBars: inputs.daily?.length ?? 0,
    bookSnapshots: inputs.book?.length ?? 0,
    perpetual: inputs.funding || inputs.openInterest ? perpetualFor(exchange, symbol) : null,
    fundingRows: inputs.funding?.length ?? 0,
    openInterestRows: inputs.openInterest?.length ?? 0,
    liquidationRows: inputs.liquidations?.length ?? null,
    ...summarizeInputs(features.num('inputs'), features.num('open_time'), inputs.expected ?? expectedInputs()),
  };
  const result: GoldResult = {
    exchange,
    symbol,
    dt,
    rows: features.length,
    dataOkRows: dataOk.filter(Boolean).length,
    validity: validateFeatures(features),
    inputs: summary,
    files,
  };
  const reportKey = `reports/gold/dt=${dt}/${exchange}_${symbolPathValue(symbol)}.json`;
  const { files: _files, ...report } = result;
  await store.put(reportKey, Buffer.from(`${JSON.stringify(report, null, 2)}\n`));
  files.push(reportKey);
  return result;
}
