import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { bronzeFilesForDay } from '../../../lib/lake/bronze-files';
import { readTables } from '../../../lib/parquet/read';
import { putTable } from '../../../lib/parquet/write';
import { KLINE_TIMEFRAMES } from '../../../lib/schema/columns';
import { dataset } from '../../../lib/schema/registry';
import { buildBars1s } from '../../../lib/silver/bars-1s';
import { cleanBookTop10 } from '../../../lib/silver/book-top10';
import { deriveBars } from '../../../lib/silver/derive-klines';
import { cleanKlines1m } from '../../../lib/silver/klines-1m';
import { cleanQuotes } from '../../../lib/silver/quotes';
import { runSilver } from '../../../lib/silver/silver-job';
import { cleanTrades } from '../../../lib/silver/trades';
import { partitionFileKey } from '../../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../../lib/storage/local-store';
import { Table } from '../../../lib/table/table';
import type { Json, TaskFn } from '../../lib/types';
import { DT, EXCHANGE, SYMBOL } from './setup';
import { openDuckDb, silverDaySql } from './sql';

/**
 * Timed cases of the silver section, each run in its own child against the Bronze the setup task wrote:
 * `ours` = runSilver for the day; `duckdb` = the same deduplication and 1-second aggregation in SQL on one thread;
 * `stages` = ours again, step by step, to show where the time goes; `verify` = compares the two outputs.
 */

const MB = 1e6;
const rssMB = () => process.memoryUsage.rss() / MB;

/** Samples RSS every 50 ms (the child's maxRSS covers the peak anyway; this also gives the peak per stage). */
function rssSampler(): { peak: () => number; reset: () => void; stop: () => void } {
  let peak = rssMB();
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMB());
  }, 50);
  return {
    peak: () => Math.max(peak, rssMB()),
    reset: () => {
      peak = rssMB();
    },
    stop: () => clearInterval(timer),
  };
}

function dirMB(root: string, under: string): number {
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.parquet')) bytes += statSync(p).size;
    }
  };
  walk(path.join(root, under));
  return bytes / MB;
}

/** args: { root } → rows out per dataset, from the quality report. */
export const ours: TaskFn = async (args, probe) => {
  const { root } = args as { root: string };
  const store = new LocalObjectStore(root);
  probe.ready();
  const results = await probe.time(() => runSilver({ store, dt: DT, exchange: EXCHANGE, symbol: SYMBOL }));
  if (results.length !== 1) throw new Error(`runSilver built ${results.length} partitions, expected 1`);
  const ds = results[0].report.datasets ?? {};
  const rows = Object.fromEntries(Object.entries(ds).map(([k, v]) => [k, (v.rowsOut as number) ?? null]));
  return {
    files: results[0].files.length,
    rows,
    duplicates: (ds.trades?.duplicates as number) ?? null,
    silverMB: dirMB(root, 'silver'),
  };
};

interface Stage {
  stage: string;
  seconds: number;
  cpuSeconds: number;
  peakRssMB: number;
}

/** args: { root } → wall, CPU and peak RSS of each step of runSilver, run one after the other as the job does. */
export const stages: TaskFn = async (args, probe) => {
  const { root } = args as { root: string };
  const store = new LocalObjectStore(root);
  const base = { exchange: EXCHANGE, symbol: SYMBOL, dt: DT };
  const now = Date.now();
  const out: Stage[] = [];
  const rss = rssSampler();
  const step = async <T>(stage: string, fn: () => Promise<T> | T): Promise<T> => {
    rss.reset();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const v = await fn();
    const c = process.cpuUsage(c0);
    out.push({ stage, seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6, peakRssMB: rss.peak() });
    return v;
  };
  probe.ready();
  await probe.time(async () => {
    const kSpec = dataset('bronze', 'klines');
    const kSilver = await step('klines: read, clean, write 1m + 6 derived timeframes', async () => {
      const keys = await bronzeFilesForDay(store, kSpec, { ...base, timeframe: '1m' });
      const r = cleanKlines1m(await readTables(store, kSpec, keys), DT, now);
      await putTable(store, partitionFileKey(dataset('silver', 'klines'), { ...base, timeframe: '1m' }), r.silver);
      for (const tf of KLINE_TIMEFRAMES.filter((t) => t !== '1m')) {
        await putTable(
          store,
          partitionFileKey(dataset('silver', 'klines'), { ...base, timeframe: tf }),
          Table.fromRows(dataset('silver', 'klines'), deriveBars(r.silver, tf)),
        );
      }
      return r.silver;
    });
    void kSilver;
    const cleaners: [string, (b: Table) => { silver: Table; quarantine: Table }][] = [
      ['trades', (b) => cleanTrades(b, DT, now, { contiguousIds: true })],
      ['quotes', (b) => cleanQuotes(b, DT, now)],
      ['book_top10', (b) => cleanBookTop10(b, DT, now)],
    ];
    const clean = new Map<string, Table>();
    for (const [name, cleaner] of cleaners) {
      const spec = dataset('bronze', name);
      const bronze = await step(`${name}: read Bronze Parquet`, async () =>
        readTables(store, spec, await bronzeFilesForDay(store, spec, base)),
      );
      const r = await step(`${name}: clean (validate, dedupe, sort, flag)`, () => cleaner(bronze));
      await step(`${name}: write Silver Parquet`, async () => {
        await putTable(store, partitionFileKey(dataset('silver', name), base), r.silver);
        if (r.quarantine.length) await putTable(store, partitionFileKey(dataset('quarantine', name), base), r.quarantine);
      });
      // Every clean table stays alive until bars_1s is built, as in buildTickDatasets.
      clean.set(name, r.silver);
    }
    const bars = await step('bars_1s: build', () => buildBars1s(clean.get('trades')!, clean.get('quotes'), DT));
    await step('bars_1s: write', () => putTable(store, partitionFileKey(dataset('silver', 'bars_1s'), base), bars));
  });
  rss.stop();
  return out as unknown as Json;
};

/** The SQL of the DuckDB case, in order: each statement a step. */
export const duckdbSteps = (root: string, out: string): [string, string][] =>
  silverDaySql({
    root,
    out,
    exchange: EXCHANGE,
    symbol: SYMBOL,
    dt: DT,
    base: 'BTC',
    quote: 'USDT',
    source: 'ws',
    codec: 'snappy',
    book: true,
  });

/** args: { root, out, threads, stepTimes } → output row counts (and per-step times when stepTimes). */
export const duckdb: TaskFn = async (args, probe) => {
  const { root, out, threads, stepTimes } = args as { root: string; out: string; threads: number; stepTimes?: boolean };
  mkdirSync(out, { recursive: true });
  const { instance, db } = await openDuckDb(threads ?? 1);
  const steps = duckdbSteps(root, out);
  const times: Stage[] = [];
  const rss = rssSampler();
  probe.ready();
  await probe.time(async () => {
    for (const [stage, sql] of steps) {
      rss.reset();
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await db.run(sql);
      const c = process.cpuUsage(c0);
      if (stepTimes)
        times.push({
          stage,
          seconds: (performance.now() - t0) / 1000,
          cpuSeconds: (c.user + c.system) / 1e6,
          peakRssMB: rss.peak(),
        });
    }
  });
  rss.stop();
  const count = async (name: string) =>
    Number((await db.runAndReadAll(`SELECT count(*) FROM read_parquet('${out}/${name}.parquet')`)).getRows()[0][0]);
  const rows: Record<string, number> = {};
  for (const name of ['trades', 'quotes', 'book_top10', 'bars_1s', 'klines_1m']) rows[name] = await count(name);
  db.closeSync();
  instance.closeSync();
  return { rows, steps: times, outMB: dirMB(out, '.') } as unknown as Json;
};

/** args: { root, out } → how far ours (root/silver) and DuckDB's (out) bars_1s and row counts agree. Untimed. */
export const verify: TaskFn = async (args) => {
  const { root, out } = args as { root: string; out: string };
  const { instance, db } = await openDuckDb(2);
  const ourFile = (name: string) => `'${root}/silver/${name}/exchange=${EXCHANGE}/symbol=${SYMBOL}/dt=${DT}/data.parquet'`;
  const one = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjectsJson()[0] as Record<string, Json>;
  const counts: Record<string, Json> = {};
  for (const name of ['trades', 'quotes', 'book_top10', 'bars_1s']) {
    counts[name] = await one(
      `SELECT (SELECT count(*) FROM read_parquet(${ourFile(name)})) AS ours, (SELECT count(*) FROM ` +
        `read_parquet('${out}/${name}.parquet')) AS duckdb`,
    );
  }
  const bars = await one(`SELECT count(*) AS joined,
      count(*) FILTER (WHERE a.trade_count <> b.trade_count) AS trade_count_diff,
      count(*) FILTER (WHERE abs(a.volume - b.volume) > 1e-9 * abs(b.volume)) AS volume_diff,
      count(*) FILTER (WHERE a.high IS DISTINCT FROM b.high OR a.low IS DISTINCT FROM b.low) AS high_low_diff,
      count(*) FILTER (WHERE a.open IS DISTINCT FROM b.open OR a.close IS DISTINCT FROM b.close) AS open_close_diff,
      count(*) FILTER (WHERE abs(a.vwap - b.vwap) > 1e-9 * abs(b.vwap)) AS vwap_diff,
      count(*) FILTER (WHERE a.bid IS DISTINCT FROM b.bid OR a.ask IS DISTINCT FROM b.ask) AS bid_ask_diff
    FROM read_parquet(${ourFile('bars_1s')}) a JOIN read_parquet('${out}/bars_1s.parquet') b ON a.ts = b.ts`);
  db.closeSync();
  instance.closeSync();
  return { counts, bars };
};
