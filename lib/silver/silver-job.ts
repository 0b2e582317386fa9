import { discoverPartitions } from '../lake/discover';
import { bronzeFilesForDay } from '../lake/bronze-files';
import { readReadableTables, type SkippedFile } from '../parquet/read';
import {
  logSkipped,
  partitionFailure,
  PartitionsFailedError,
  type PartitionFailure,
  type SkippedInput,
} from '../lake/build-issues';
import { putTable } from '../parquet/write';
import { dataset } from '../schema/registry';
import { KLINE_TIMEFRAMES } from '../schema/columns';
import { partitionFileKey, symbolPathValue } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import { Table } from '../table/table';
import { deriveBars } from './derive-klines';
import { cleanKlines1m } from './klines-1m';
import { buildReport, reportMarkdown, type QualityReport } from './quality-report';
import { buildTickDatasets } from './tick-datasets';
import { markLate } from './late-rows';
import { klineParity, type ParityResult } from './kline-parity';
import { tradeBarParity } from './trade-bar-parity';

/**
 * `lakehouse silver`: rebuilds the Silver partitions of one date from Bronze. Every output object is replaced
 * whole (atomic put), so running it again on the same input gives the same partitions. A Bronze file that cannot
 * be read is skipped, named in the partition's quality report (verdict at least INVESTIGATE) and told to
 * `onSkip`; a partition that fails does not stop the others (docs/bad-files.md).
 */

export interface SilverOptions {
  store: ObjectStore;
  dt: string;
  exchange?: string;
  symbol?: string;
  now?: () => number;
  onProgress?(msg: string): void;
  /** Hears of every input left out (default: a warning in the log). */
  onSkip?: (skipped: SkippedInput) => void;
}

export interface SilverResult {
  exchange: string;
  symbol: string;
  dt: string;
  report: QualityReport;
  files: string[];
}

/** Throws PartitionsFailedError (holding the partitions built) after the last partition if any failed. */
export async function runSilver(options: SilverOptions): Promise<SilverResult[]> {
  const bronze = dataset('bronze', 'klines');
  const onSkip = options.onSkip ?? logSkipped;
  const parts = await discoverPartitions(
    options.store,
    bronze,
    { timeframe: '1m', dt: options.dt, exchange: options.exchange, symbol: options.symbol },
    undefined,
    (key, reason) => onSkip({ layer: 'silver', key, reason }),
  );
  const results: SilverResult[] = [];
  const failures: PartitionFailure[] = [];
  for (const values of parts) {
    options.onProgress?.(`silver ${values.exchange} ${values.symbol} ${options.dt}`);
    const partition = { exchange: values.exchange, symbol: values.symbol, dt: options.dt };
    try {
      results.push(
        await buildKlinesPartition(options, values.exchange, values.symbol, (f) => onSkip({ layer: 'silver', partition, ...f })),
      );
    } catch (error) {
      failures.push(partitionFailure('silver', partition, error));
    }
  }
  if (failures.length) throw new PartitionsFailedError(results, failures);
  return results;
}

async function buildKlinesPartition(
  options: SilverOptions,
  exchange: string,
  symbol: string,
  onSkip: (skipped: SkippedFile) => void,
): Promise<SilverResult> {
  const now = (options.now ?? Date.now)();
  const bronzeSpec = dataset('bronze', 'klines');
  const silverSpec = dataset('silver', 'klines');
  const qSpec = dataset('quarantine', 'klines');
  const base = { exchange, symbol, dt: options.dt };
  const keys = await bronzeFilesForDay(options.store, bronzeSpec, { ...base, timeframe: '1m' });
  const unreadable: SkippedFile[] = [];
  const read = async (files: readonly string[]) => {
    const r = await readReadableTables(options.store, bronzeSpec, files, onSkip);
    unreadable.push(...r.skipped);
    return r.table;
  };
  const { silver, quarantine, stats } = cleanKlines1m(await read(keys), options.dt, now);
  const reportKey = `reports/quality/dt=${options.dt}/${exchange}_${symbolPathValue(symbol)}`;
  const firstBuiltAt = await firstBuild(options.store, `${reportKey}.json`);
  const late = markLate(silver, firstBuiltAt);
  if (late > 0) stats.flagged.LATE = (stats.flagged.LATE ?? 0) + late;
  const files: string[] = [];

  const put = async (key: string, table: Table) => {
    await putTable(options.store, key, table);
    files.push(key);
  };
  await put(partitionFileKey(silverSpec, { ...base, timeframe: '1m' }), silver);
  const qKey = partitionFileKey(qSpec, { ...base, timeframe: '1m' });
  if (quarantine.length) await put(qKey, quarantine);
  else await options.store.delete(qKey);

  const parity: Record<string, ParityResult> = {};
  for (const tf of KLINE_TIMEFRAMES.filter((t) => t !== '1m')) {
    const derived = deriveBars(silver, tf);
    await put(partitionFileKey(silverSpec, { ...base, timeframe: tf }), Table.fromRows(silverSpec, derived));
    // The exchange's own bars of this timeframe, where the collector recorded them (5m, 15m).
    const exchangeKeys = await bronzeFilesForDay(options.store, bronzeSpec, { ...base, timeframe: tf }, 0);
    if (exchangeKeys.length) parity[tf] = klineParity(derived, await read(exchangeKeys));
  }

  const ticks = await buildTickDatasets(options.store, base, now, firstBuiltAt, onSkip);
  files.push(...ticks.files);
  unreadable.push(...ticks.skipped);
  // The day's 1m bars against the bars its trades make (e.g. an archive day imported with both).
  const tradeParity = ticks.trades ? tradeBarParity(ticks.trades, silver, options.dt) : undefined;
  const report = buildReport({
    exchange,
    symbol,
    dt: options.dt,
    builtAt: now,
    firstBuiltAt: firstBuiltAt ?? now,
    klines: stats,
    datasets: Object.keys(ticks.stats).length ? ticks.stats : undefined,
    parity: Object.keys(parity).length ? parity : undefined,
    tradeParity,
    unreadableFiles: unreadable.length ? unreadable : undefined,
  });
  await options.store.put(`${reportKey}.json`, JSON.stringify(report, null, 2) + '\n');
  await options.store.put(`${reportKey}.md`, reportMarkdown(report));
  files.push(`${reportKey}.json`, `${reportKey}.md`);
  return { exchange, symbol, dt: options.dt, report, files };
}

/** When the partition was first built, from its previous quality report (undefined on the first build). */
async function firstBuild(store: ObjectStore, reportKey: string): Promise<number | undefined> {
  const bytes = await store.tryGet(reportKey);
  if (!bytes) return undefined;
  try {
    const report = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<QualityReport>;
    const t = Date.parse(report.firstBuiltAt ?? report.builtAt ?? '');
    return Number.isFinite(t) ? t : undefined;
  } catch {
    return undefined; // an unreadable report is rebuilt; LATE cannot be told for this run
  }
}
