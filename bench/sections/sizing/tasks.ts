import { mkdirSync } from 'node:fs';
import { runGold } from '../../../lib/gold/gold-job';
import { WARMUP_DAYS } from '../../../lib/gold/features';
import { putTable } from '../../../lib/parquet/write';
import { dataset } from '../../../lib/schema/registry';
import { deriveBars } from '../../../lib/silver/derive-klines';
import { runSilver } from '../../../lib/silver/silver-job';
import { MarketModel } from '../../../lib/simulator/market/market-model';
import { addDays, bronzeFileKey, dateRange, dayStart, partitionFileKey } from '../../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../../lib/storage/local-store';
import { Table } from '../../../lib/table/table';
import type { Json, Probe, TaskFn } from '../../lib/types';
import {
  EXCHANGE as GOLD_EXCHANGE,
  SYMBOL as GOLD_SYMBOL,
  syntheticSilver1m,
  writeSilverBook,
  writeSilverPerp,
} from '../gold/tasks';
import { DT, EXCHANGE, SYMBOL, klinesOf } from '../silver/setup';
import { CountingStore, type RequestCounts } from './counting-store';
import { HOUR_MS } from '../../../lib/util/time';
import { cpuNow } from '../../lib/process-usage';

/**
 * Child tasks of the sizing section: Silver and Gold partitions as the build's Lambdas run them, through a store
 * that counts the S3 requests and bytes each partition would cost. `silverDay` is one live day (the silver
 * section's setup writes its Bronze); `silverDays` and `goldDays` run a list of partitions one after the other in
 * one process, as a warm Lambda does during a rebuild, so the first (cold) and the rest (warm) are told apart.
 */

export interface PartitionRun {
  dt: string;
  seconds: number;
  cpuSeconds: number;
  /** RSS after the partition (the child's peak is reported by the framework). */
  rssMB: number;
  requests: RequestCounts;
  [k: string]: Json;
}

async function timed(store: CountingStore, dt: string, fn: () => Promise<unknown>): Promise<PartitionRun> {
  store.take();
  const t0 = performance.now();
  const c0 = cpuNow();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  return { dt, seconds, cpuSeconds: cpuNow() - c0, rssMB: process.memoryUsage.rss() / 1e6, requests: store.take() };
}

/** args: { root } → runSilver for the silver setup's day, with its request counts and rows out. */
export const silverDay: TaskFn = async (args, probe) => {
  const store = new CountingStore(new LocalObjectStore((args as { root: string }).root));
  probe.ready();
  const results = await probe.time(() => runSilver({ store, dt: DT, exchange: EXCHANGE, symbol: SYMBOL }));
  if (results.length !== 1) throw new Error(`runSilver built ${results.length} partitions, expected 1`);
  const report = results[0].report;
  const ds = report.datasets ?? {};
  if (report.klines_1m.kept !== 1440) throw new Error(`Silver kept ${report.klines_1m.kept} 1m klines, expected 1,440`);
  return {
    requests: store.take(),
    rows: {
      klines_1m: report.klines_1m.kept,
      ...Object.fromEntries(Object.entries(ds).map(([k, v]) => [k, (v.rowsOut as number) ?? null])),
    },
  };
};

/** The first day of the klines-only and Gold lakes. */
export const HISTORY_START = '2024-01-01';

/**
 * args: { root, days } → Bronze as an archive import leaves it: 1m klines only, one file per hour, for `days` days
 * from HISTORY_START. No trades, quotes or book.
 */
export const klinesOnlySetup: TaskFn = async (args) => {
  const { root, days } = args as { root: string; days: number };
  mkdirSync(root, { recursive: true });
  const store = new LocalObjectStore(root);
  const day0 = dayStart(HISTORY_START);
  const model = new MarketModel({ seed: 3, symbols: [SYMBOL], anchorMs: day0 });
  const spec = dataset('bronze', 'klines');
  let files = 0;
  for (let d = 0; d < days; d++) {
    const dt = addDays(HISTORY_START, d);
    for (let h = 0; h < 24; h++) {
      const from = dayStart(dt) + h * HOUR_MS;
      const key = bronzeFileKey(
        spec,
        { exchange: EXCHANGE, symbol: SYMBOL, dt, hour: h, timeframe: '1m' },
        from,
        `archive-${dt}-${h}`,
      );
      await putTable(store, key, klinesOf(model, from, from + HOUR_MS));
      files++;
    }
  }
  return { days, files };
};

/** Runs `build` for each of `args.days` dates from `first` on a counting store over `args.root`, one after the other. */
async function buildDays(
  args: Json,
  probe: Probe,
  first: string,
  build: (store: CountingStore, dt: string) => Promise<unknown>,
): Promise<Json> {
  const { root, days } = args as { root: string; days: number };
  const store = new CountingStore(new LocalObjectStore(root));
  const runs: PartitionRun[] = [];
  probe.ready();
  await probe.time(async () => {
    for (let d = 0; d < days; d++) {
      const dt = addDays(first, d);
      runs.push(await timed(store, dt, () => build(store, dt)));
    }
  });
  return runs;
}

/** args: { root, days } → runSilver for each of `days` dates from HISTORY_START, one after the other. */
export const silverDays: TaskFn = (args, probe) =>
  buildDays(args, probe, HISTORY_START, (store, dt) => runSilver({ store, dt, exchange: EXCHANGE, symbol: SYMBOL }));

/** The first day the Gold cases build. */
export const GOLD_FIRST = '2024-09-01';

/** Days of daily bars behind sma_200_1d that a long history holds before the first built day. */
const CONTEXT_DAYS = 200;

/**
 * args: { root, days, live } → a Silver lake for Gold of `days` dates from GOLD_FIRST: 1m and 1d bars from
 * CONTEXT_DAYS before the first through the day after the last (as a long history holds them), and when `live`,
 * each built day's 100 ms book_top10 and the perpetual's funding, open interest and liquidations.
 */
export const goldSetup: TaskFn = async (args) => {
  const { root, days, live } = args as { root: string; days: number; live: boolean };
  mkdirSync(root, { recursive: true });
  const store = new LocalObjectStore(root);
  const klines = dataset('silver', 'klines');
  const built = Array.from({ length: days }, (_, d) => addDays(GOLD_FIRST, d));
  const first = addDays(GOLD_FIRST, -Math.max(CONTEXT_DAYS, WARMUP_DAYS));
  const last = addDays(built[built.length - 1], 1);
  const all = dateRange(first, last);
  const bars = syntheticSilver1m(first, all.length);
  const open = bars.num('open_time');
  const market = { exchange: GOLD_EXCHANGE, symbol: GOLD_SYMBOL };
  for (let d = 0; d < all.length; d++) {
    const idx = Array.from({ length: 1440 }, (_, i) => d * 1440 + i);
    if (open[idx[0]] !== dayStart(all[d])) throw new Error('synthetic bars out of step with the dates');
    const day = bars.take(idx);
    await putTable(store, partitionFileKey(klines, { timeframe: '1m', ...market, dt: all[d] }), day);
    const daily = Table.fromRows(klines, deriveBars(day, '1d'));
    await putTable(store, partitionFileKey(klines, { timeframe: '1d', ...market, dt: all[d] }), daily);
  }
  if (live) {
    for (const dt of built) await writeSilverBook(store, dt, undefined, true);
    await writeSilverPerp(store, [addDays(GOLD_FIRST, -1), ...built]);
  }
  return { days: all.length, built: built.length, live };
};

/** args: { root, days } → runGold for each of `days` dates from GOLD_FIRST, one after the other. */
export const goldDays: TaskFn = (args, probe) =>
  buildDays(args, probe, GOLD_FIRST, async (store, dt) => {
    const built = await runGold({ store, dt, exchange: GOLD_EXCHANGE, symbol: GOLD_SYMBOL });
    if (built.length !== 1 || built[0].rows !== 1440)
      throw new Error(`runGold ${dt}: ${built.length} partitions, ${built[0]?.rows} rows`);
  });
