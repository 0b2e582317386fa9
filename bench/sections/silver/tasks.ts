import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
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

async function open(threads: number): Promise<{ instance: DuckDBInstance; db: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  await db.run(`SET threads = ${threads}`);
  await db.run(`SET TimeZone = 'UTC'`);
  // As in lib/local/duckdb-lake.ts: DuckDB 1.5.5 mis-answers some aggregates from statistics.
  await db.run(`SET disabled_optimizers = 'statistics_propagation'`);
  return { instance, db };
}

const bronzeGlob = (root: string, name: string, timeframe?: string) =>
  `'${root}/bronze/${name}/${timeframe ? `timeframe=${timeframe}/` : ''}exchange=${EXCHANGE}/symbol=${SYMBOL}/dt=${DT}/*/*.parquet'`;
const readBronze = (root: string, name: string, timeframe?: string) =>
  `read_parquet(${bronzeGlob(root, name, timeframe)}, hive_partitioning = false)`;
const DAY = `event_time >= TIMESTAMPTZ '${DT} 00:00:00+00' AND event_time < TIMESTAMPTZ '${DT} 00:00:00+00' + INTERVAL 1 DAY`;
const COPY_OPTS = '(FORMAT parquet, COMPRESSION snappy)';

/** The SQL of the DuckDB case, in order: each statement a step. */
export function duckdbSteps(root: string, out: string): [string, string][] {
  const o = (name: string) => `'${out}/${name}.parquet'`;
  const derived = KLINE_TIMEFRAMES.filter((t) => t !== '1m').map((tf): [string, string] => {
    const minutes = { '5m': 5, '15m': 15, '30m': 30, '1h': 60, '4h': 240, '1d': 1440 }[tf as string]!;
    return [
      `klines ${tf}`,
      `COPY (SELECT time_bucket(INTERVAL ${minutes} MINUTE, open_time) AS open_time, arg_min(open, open_time) AS open, max(high) AS high,
      min(low) AS low, arg_max(close, open_time) AS close, sum(volume) AS volume, sum(quote_volume) AS quote_volume,
      sum(trade_count) AS trade_count,
      count(*) AS minutes FROM sk GROUP BY 1 ORDER BY 1) TO ${o(`klines_${tf}`)} ${COPY_OPTS}`,
    ];
  });
  return [
    [
      'klines 1m: last closed update per minute',
      `CREATE TEMP TABLE sk AS SELECT * FROM ${readBronze(root, 'klines', '1m')}
      WHERE open_time >= TIMESTAMPTZ '${DT} 00:00:00+00' AND open_time < TIMESTAMPTZ '${DT} 00:00:00+00' + INTERVAL 1 DAY
      QUALIFY row_number() OVER (PARTITION BY open_time ORDER BY is_closed DESC, ingest_time DESC) = 1 ORDER BY open_time`,
    ],
    ['klines 1m write', `COPY sk TO ${o('klines_1m')} ${COPY_OPTS}`],
    ...derived,
    [
      'trades: first copy per trade_id by ingest_time, sorted',
      `CREATE TEMP TABLE st AS SELECT * FROM ${readBronze(root, 'trades')}
      WHERE ${DAY} AND price > 0 AND qty > 0 QUALIFY row_number() OVER (PARTITION BY trade_id ORDER BY ingest_time) = 1 ORDER BY trade_id`,
    ],
    ['trades write', `COPY st TO ${o('trades')} ${COPY_OPTS}`],
    [
      'quotes: first copy per update_id, sorted',
      `CREATE TEMP TABLE sq AS SELECT * FROM ${readBronze(root, 'quotes')}
      WHERE ${DAY} AND bid_px < ask_px QUALIFY row_number() OVER (PARTITION BY update_id ORDER BY ingest_time) = 1
      ORDER BY event_time, update_id`,
    ],
    ['quotes write', `COPY sq TO ${o('quotes')} ${COPY_OPTS}`],
    [
      'book_top10: first copy per last_update_id, sorted, written',
      `COPY (SELECT * FROM ${readBronze(root, 'book_top10')}
      WHERE ${DAY} AND (bid_px_1 IS NULL OR ask_px_1 IS NULL OR bid_px_1 < ask_px_1)
      QUALIFY row_number() OVER (PARTITION BY last_update_id ORDER BY ingest_time) = 1
      ORDER BY event_time, last_update_id) TO ${o('book_top10')} ${COPY_OPTS}`,
    ],
    [
      'bars_1s: build and write',
      `COPY (
      WITH tb AS (
        SELECT date_trunc('second', event_time) AS ts, arg_min(price, {'t': event_time, 'id': trade_id}) AS open, max(price) AS high,
          min(price) AS low,
          arg_max(price, {'t': event_time, 'id': trade_id}) AS close, sum(qty) AS volume, sum(quote_qty) AS quote_volume,
          sum(price * qty) / nullif(sum(qty), 0) AS vwap, count(*) AS trade_count, max(ingest_time) AS ingest_time
        FROM st GROUP BY 1),
      qb AS (SELECT date_trunc('second', event_time) AS ts, arg_max(bid_px, event_time) AS bid, arg_max(ask_px, event_time) AS ask
        FROM sq GROUP BY 1),
      s AS (SELECT ts FROM tb UNION SELECT ts FROM qb),
      j AS (
        SELECT s.ts, tb.open, tb.high, tb.low, tb.close, coalesce(tb.volume, 0) AS volume, coalesce(tb.quote_volume, 0) AS quote_volume,
          tb.vwap,
          coalesce(tb.trade_count, 0) AS trade_count,
          last_value(qb.bid IGNORE NULLS) OVER w AS bid, last_value(qb.ask IGNORE NULLS) OVER w AS ask, tb.ingest_time
        FROM s LEFT JOIN tb ON tb.ts = s.ts LEFT JOIN qb ON qb.ts = s.ts
        WINDOW w AS (ORDER BY s.ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
      SELECT ts, open, high, low, close, volume, quote_volume, vwap, trade_count, bid, ask,
        CASE WHEN ask >= bid THEN ask - bid END AS spread,
        'BTC' AS base, 'USDT' AS quote, ingest_time, 'ws' AS source, CASE WHEN trade_count = 0 THEN 16 ELSE 0 END AS quality_flags
      FROM j ORDER BY ts) TO ${o('bars_1s')} ${COPY_OPTS}`,
    ],
  ];
}

/** args: { root, out, threads, stepTimes } → output row counts (and per-step times when stepTimes). */
export const duckdb: TaskFn = async (args, probe) => {
  const { root, out, threads, stepTimes } = args as { root: string; out: string; threads: number; stepTimes?: boolean };
  mkdirSync(out, { recursive: true });
  const { instance, db } = await open(threads ?? 1);
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
  const { instance, db } = await open(2);
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
