import { readTable } from '../parquet/read';
import { dataset } from '../schema/registry';
import type { DatasetSpec } from '../schema/types';
import { addDays, parsePartitionKey, partitionFileKey, partitionPrefix } from '../storage/lake-paths';
import { listAll, type ObjectStore } from '../storage/object-store';
import { Table } from '../table/table';
import { expectedInputs } from './data-ok';
import { WARMUP_DAYS } from './features';
import type { GoldInputs } from './inputs';
import { perpetualFor } from './perp-mapping';

/**
 * Reads from Silver what Gold needs for one day: 1m bars with their warm-up and the next day (labels only),
 * daily bars for the 200-day context, the day's order book, and the mapped perpetual's funding, open interest
 * and liquidations from the day before on (hour look-backs), and from the same listings the first day the lake
 * holds each of those inputs for the market, which decides from when its rows need them (./data-ok.ts). Which
 * partitions exist comes from one listing per dataset, not from probing keys: with prefix-scoped IAM, S3 answers
 * a missing key with 403, not 404.
 */

/** Daily closes behind sma_200_1d. */
export const DAILY_CONTEXT_DAYS = 200;
const READ_CONCURRENCY = 8;

type Market = { exchange: string; symbol: string; timeframe?: string };

/** The partitions of `dates` that exist, read and concatenated (null when none), and the market's first partition date. */
async function readDaysAndFirst(
  store: ObjectStore,
  spec: DatasetSpec,
  base: Market,
  dates: readonly string[],
): Promise<{ table: Table | null; first: string | null }> {
  const wanted = new Map(dates.map((dt) => [partitionFileKey(spec, { ...base, dt }), dt]));
  const listed = (await listAll(store, partitionPrefix(spec, base))).map((o) => o.key).sort();
  const first = listed.length ? (parsePartitionKey(listed[0]).dt ?? null) : null;
  const present = listed.filter((k) => wanted.has(k));
  if (present.length === 0) return { table: null, first };
  const tables: Table[] = new Array<Table>(present.length);
  let next = 0;
  const worker = async () => {
    while (next < present.length) {
      const i = next++;
      tables[i] = await readTable(store, spec, present[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, present.length) }, worker));
  return { table: Table.concat(spec, tables), first };
}

async function readDays(store: ObjectStore, spec: DatasetSpec, base: Market, dates: readonly string[]): Promise<Table | null> {
  return (await readDaysAndFirst(store, spec, base, dates)).table;
}

const range = (dt: string, before: number, after: number) =>
  Array.from({ length: before + after + 1 }, (_, k) => addDays(dt, k - before));

/** Silver 1m bars of `dt` and the `warmupDays` before it that exist, in time order. */
export async function loadSilver1m(
  store: ObjectStore,
  exchange: string,
  symbol: string,
  dt: string,
  warmupDays: number,
  daysAfter = 0,
): Promise<Table> {
  const spec = dataset('silver', 'klines');
  return (
    (await readDays(store, spec, { timeframe: '1m', exchange, symbol }, range(dt, warmupDays, daysAfter))) ?? Table.empty(spec)
  );
}

export async function loadGoldInputs(store: ObjectStore, exchange: string, symbol: string, dt: string): Promise<GoldInputs> {
  const klines = dataset('silver', 'klines');
  const market = { exchange, symbol };
  const [klines1m, daily, book] = await Promise.all([
    loadSilver1m(store, exchange, symbol, dt, WARMUP_DAYS, 1),
    readDays(store, klines, { timeframe: '1d', ...market }, range(dt, DAILY_CONTEXT_DAYS, 0)),
    readDaysAndFirst(store, dataset('silver', 'book_top10'), market, [dt]),
  ]);
  const perp = perpetualFor(exchange, symbol);
  if (!perp) return { klines1m, daily, book: book.table, expected: expectedInputs(exchange, symbol, { book: book.first }) };
  const days = range(dt, 1, 0);
  const [funding, openInterest, liquidations] = await Promise.all(
    (['funding', 'open_interest', 'liquidations'] as const).map((name) =>
      readDaysAndFirst(store, dataset('silver', name), perp, days),
    ),
  );
  const expected = expectedInputs(exchange, symbol, {
    book: book.first,
    funding: funding.first,
    openInterest: openInterest.first,
  });
  // Liquidations are rare: a collected perpetual (it has funding) with no liquidation partition had none.
  const liq = liquidations.table ?? (funding.table ? Table.empty(dataset('silver', 'liquidations')) : null);
  return {
    klines1m,
    daily,
    book: book.table,
    funding: funding.table,
    openInterest: openInterest.table,
    liquidations: liq,
    expected,
  };
}
