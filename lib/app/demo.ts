import { Collector } from '../collector/collector';
import { EventClock } from '../collector/clock';
import type { CollectorSnapshot } from '../collector/stats';
import { backfillKlines } from '../history/rest-backfill';
import { LakeQueryEngine, type QueryResult } from '../local/duckdb-lake';
import { allDatasets, tableName } from '../schema/registry';
import type { Layer } from '../schema/types';
import { startSimulator } from '../simulator';
import { addDays, dateOf, dateRange, dayStart } from '../storage/lake-paths';
import { LocalObjectStore } from '../storage/local-store';
import type { Progress } from '../util/progress';
import { runRange } from './run-range';
import { sourceCollectorOptions, sourceProfile } from '../exchanges/registry';

/**
 * `lakehouse demo` (= `npm run demo`): the whole pipeline on the built-in simulator. The simulator's REST API
 * backfills two days and most of a third of 1m klines, then the collector records the last `minutes` of that
 * day live over WebSocket (all streams), then Silver and Gold run over the three days and a report is printed.
 */

export interface DemoOptions {
  lake: string;
  symbols: string[];
  /** Simulated minutes collected live over WebSocket (default 180). */
  minutes: number;
  seed?: number;
  progress?: Progress;
}

export interface DemoReport {
  lake: string;
  symbols: string[];
  days: string[];
  live: { from: string; to: string; wallSeconds: number; collector: CollectorSnapshot };
  backfilledRows: number;
  rowsPerLayer: Record<string, number>;
  partitions: {
    exchange: string;
    symbol: string;
    dt: string;
    verdict: string;
    completeness: number;
    goldRows: number;
    dataOkRows: number;
  }[];
  sample: { sql: string; result: QueryResult };
  wallSeconds: number;
}

/** The last day of the demo: the live window ends at its midnight. */
export const DEMO_DAY = '2024-01-03';
const MINUTE = 60_000;

export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const began = Date.now();
  const progress = options.progress ?? (() => {});
  const store = new LocalObjectStore(options.lake);
  const liveEnd = dayStart(addDays(DEMO_DAY, 1));
  const liveStart = liveEnd - options.minutes * MINUTE;
  const firstDay = addDays(dateOf(liveStart), -2);
  const days = dateRange(firstDay, DEMO_DAY);

  const sim = await startSimulator({
    symbols: options.symbols,
    seed: options.seed ?? 7,
    start: liveStart,
    end: liveEnd,
    speed: 'max',
    historyDays: days.length + 1,
  });
  const profile = sourceProfile('sim');
  let backfilledRows = 0;
  let collector: Collector | undefined;
  let liveWall = 0;
  try {
    for (const symbol of options.symbols) {
      progress(`backfill ${symbol} 1m klines over REST, ${firstDay} → ${new Date(liveStart).toISOString()}`);
      const backfill = await backfillKlines({
        store,
        exchange: profile.exchange,
        symbol,
        from: dayStart(firstDay),
        to: liveStart,
        restBase: sim.restBaseUrl,
        now: () => sim.clock.now(),
      });
      backfilledRows += backfill.rows;
    }

    const liveBegan = Date.now();
    collector = new Collector({
      ...sourceCollectorOptions(profile, options.symbols, sim.wsBaseUrl, sim.restBaseUrl),
      store,
      clock: new EventClock(sim.clock),
    });
    await collector.start();
    const ticker = setInterval(() => {
      const snapshot = collector!.snapshot();
      const done = snapshot.lastEventMs
        ? Math.max(0, Math.min(1, (snapshot.lastEventMs - liveStart) / (liveEnd - liveStart)))
        : 0;
      progress(
        `collect: ${(done * 100).toFixed(0)} % of ${options.minutes} simulated ` +
          `minutes, ${snapshot.messages.toLocaleString('en-US')} messages, ${snapshot.filesWritten} Bronze files`,
      );
    }, 1000);
    await sim.untilEnd();
    await drained(collector);
    clearInterval(ticker);
    await collector.stop();
    liveWall = (Date.now() - liveBegan) / 1000;
  } finally {
    await sim.stop();
  }

  const run = await runRange({ store, from: firstDay, to: DEMO_DAY, progress });
  progress('querying the lake with DuckDB');
  const engine = await LakeQueryEngine.open(store.localRoot);
  try {
    const rowsPerLayer: Record<string, number> = {};
    for (const layer of ['bronze', 'silver', 'gold'] as Layer[]) {
      const counts = await Promise.all(
        allDatasets(layer).map(async (d) => Number((await engine.query(`SELECT count(*) AS n FROM ${tableName(d)}`)).rows[0].n)),
      );
      rowsPerLayer[layer] = counts.reduce((a, b) => a + b, 0);
    }
    const sql = `SELECT symbol, ts, close, round(rsi_14_1m, 2) AS rsi_14_1m, round(macd_hist_5m, 4) AS macd_hist_5m,
  round(bb_upper_20_15m, 2) AS bb_upper_20_15m, round(atr_14_15m, 4) AS atr_14_15m, data_ok
FROM gold_features_1m WHERE dt = '${DEMO_DAY}' ORDER BY ts DESC, symbol LIMIT 6`;
    const sample = { sql, result: await engine.query(sql) };
    const partitions = run.silver.map((silver) => {
      const gold = run.gold.find((x) => x.exchange === silver.exchange && x.symbol === silver.symbol && x.dt === silver.dt);
      return {
        exchange: silver.exchange,
        symbol: silver.symbol,
        dt: silver.dt,
        verdict: silver.report.verdict,
        completeness: silver.report.klines_1m.completeness,
        goldRows: gold?.rows ?? 0,
        dataOkRows: gold?.dataOkRows ?? 0,
      };
    });
    return {
      lake: store.localRoot,
      symbols: options.symbols,
      days,
      live: {
        from: new Date(liveStart).toISOString(),
        to: new Date(liveEnd).toISOString(),
        wallSeconds: liveWall,
        collector: collector.snapshot(),
      },
      backfilledRows,
      rowsPerLayer,
      partitions,
      sample,
      wallSeconds: (Date.now() - began) / 1000,
    };
  } finally {
    engine.close();
  }
}

/** Waits until the collector has read everything in flight (no message for a short while). */
async function drained(collector: Collector): Promise<void> {
  let last = -1;
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const messages = collector.snapshot().messages;
    if (messages === last) return;
    last = messages;
  }
}
