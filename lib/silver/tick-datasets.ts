import { bronzeFilesForDay } from '../lake/bronze-files';
import { readReadableTables, type SkippedFile } from '../parquet/read';
import { putTable } from '../parquet/write';
import { dataset } from '../schema/registry';
import { partitionFileKey } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import type { Table } from '../table/table';
import { buildBars1s } from './bars-1s';
import { markLate } from './late-rows';
import { cleanBookTop10 } from './book-top10';
import { cleanFunding, cleanLiquidations, cleanOpenInterest } from './derivatives';
import { cleanQuotes } from './quotes';
import { cleanTrades, hasContiguousTradeIds } from './trades';

/**
 * Silver for the event datasets of one exchange/symbol/date (docs/silver.md#rules-per-dataset): trades, quotes,
 * book_top10, funding, open interest, liquidations — each cleaned from its Bronze files, written whole with its
 * quarantine — and bars_1s built from the clean trades and quotes. Datasets with no Bronze that day are skipped.
 */

type Cleaner = (
  bronze: Table,
  dt: string,
  nowMs: number,
  exchange: string,
) => {
  silver: Table;
  quarantine: Table;
  stats: { rowsIn: number; rowsOut: number; duplicates: number; quarantined: number } & object;
};

const CLEANERS: readonly [string, Cleaner][] = [
  ['trades', (b, dt, now, ex) => cleanTrades(b, dt, now, { contiguousIds: hasContiguousTradeIds(ex) })],
  ['quotes', (b, dt, now) => cleanQuotes(b, dt, now)],
  ['book_top10', (b, dt, now) => cleanBookTop10(b, dt, now)],
  ['funding', (b, dt, now) => cleanFunding(b, dt, now)],
  ['open_interest', (b, dt, now) => cleanOpenInterest(b, dt, now)],
  ['liquidations', (b, dt, now) => cleanLiquidations(b, dt, now)],
];

export interface TickDatasetsResult {
  files: string[];
  /** Bronze files that could not be read: each dataset is cleaned from the rest. */
  skipped: SkippedFile[];
  /** Per dataset: the cleaner's statistics (rows in and out, duplicates, quarantined by reason, …). */
  stats: Record<string, Record<string, unknown>>;
  /** The day's clean trades, when it has any Bronze trades: the quality report checks the 1m bars against them. */
  trades?: Table;
}

/**
 * `firstBuiltAt`: when the partition was first built; rows ingested after it are flagged LATE. `onSkip` hears of
 * each Bronze file left out because it cannot be read.
 */
export async function buildTickDatasets(
  store: ObjectStore,
  base: { exchange: string; symbol: string; dt: string },
  nowMs: number,
  firstBuiltAt?: number,
  onSkip?: (skipped: SkippedFile) => void,
): Promise<TickDatasetsResult> {
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  const stats: Record<string, Record<string, unknown>> = {};
  const clean = new Map<string, Table>();
  for (const [name, cleaner] of CLEANERS) {
    const bronzeSpec = dataset('bronze', name);
    const keys = await bronzeFilesForDay(store, bronzeSpec, base);
    if (keys.length === 0) continue;
    const bronze = await readReadableTables(store, bronzeSpec, keys, onSkip);
    skipped.push(...bronze.skipped);
    const r = cleaner(bronze.table, base.dt, nowMs, base.exchange);
    const late = markLate(r.silver, firstBuiltAt);
    const silverKey = partitionFileKey(dataset('silver', name), base);
    await putTable(store, silverKey, r.silver);
    files.push(silverKey);
    const qKey = partitionFileKey(dataset('quarantine', name), base);
    if (r.quarantine.length) {
      await putTable(store, qKey, r.quarantine);
      files.push(qKey);
    } else {
      await store.delete(qKey);
    }
    stats[name] = { ...r.stats, late };
    clean.set(name, r.silver);
  }
  const trades = clean.get('trades');
  if (trades) {
    const key = partitionFileKey(dataset('silver', 'bars_1s'), base);
    const bars = buildBars1s(trades, clean.get('quotes'), base.dt);
    await putTable(store, key, bars);
    files.push(key);
    stats.bars_1s = { rowsOut: bars.length };
  }
  return { files, skipped, stats, ...(trades ? { trades } : {}) };
}
