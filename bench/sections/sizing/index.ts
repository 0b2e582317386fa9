import path from 'node:path';
import { rmSync } from 'node:fs';
import type { Cell, ChildOutcome, Json, Measured, ReportTable, Section } from '../../lib/types';
import { failCell } from '../../lib/markdown';
import { REFERENCE_QUOTES_PER_SECOND, REFERENCE_TRADES_PER_DAY, type SetupResult } from '../silver/setup';
import type { CollectorHold } from './collector';
import type { RequestCounts } from './counting-store';
import type { PartitionRun } from './tasks';

/**
 * Sizing (issue 11, part 7): the largest symbol-day the Silver and Gold Lambdas handle, the per-partition times a
 * rebuild multiplies, and how many symbols one collector task holds. Every case runs in a fresh child; Silver and
 * Gold children get the V8 limits the Lambda runtime derives from the function's memory, so V8 collects as it
 * would there instead of growing into this machine's 24 GiB.
 */

const SILVER_SETUP = path.join(__dirname, '..', 'silver', 'setup.ts');
const SILVER_TASKS = path.join(__dirname, '..', 'silver', 'tasks.ts');
const TASKS = path.join(__dirname, 'tasks.ts');
const COLLECTOR = path.join(__dirname, 'collector.ts');

/** Function memory (MiB) of lib/cdk/jobs.ts. */
export const SILVER_MIB = 3008;
export const GOLD_MIB = 2048;
/** The Lambda Node.js runtime's bootstrap: old space = memory − memory/10, semi space = memory/20 (MiB). */
export const lambdaFlags = (mib: number): string[] => [
  `--max-old-space-size=${mib - Math.floor(mib / 10)}`,
  `--max-semi-space-size=${Math.floor(mib / 20)}`,
];
const mibToMB = (mib: number) => (mib * 2 ** 20) / 1e6;
/** Lambda's timeout (lib/cdk/jobs.ts). */
export const TIMEOUT_S = 900;
/** Binance bookTicker and trade rates of BTCUSDT in the hftbacktest capture of 2024-08-09 00:00–00:05. */
export const CAPTURED_TRADES_PER_SECOND = 33.3;
export const CAPTURED_QUOTES_PER_SECOND = 148.2;
/** BTCUSDT's trade ids in that capture: past V8's small integers, as the model's (10^9 on) are not. */
const BTCUSDT_TRADE_ID = 3_735_693_016;

interface SilverCase {
  label: string;
  tradesPerDay: number;
  quotesPerSecond: number;
  series: string[];
}
interface SilverPoint {
  series: string[];
  trades: number;
  quotes: number;
  rss: number;
  s: number;
  cpu: number;
}
type SilverOut = { requests: RequestCounts; rows: Record<string, number | null> };

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Least-squares line y = a + b·x. */
function fitLine(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n,
    my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0,
    sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

const reqCells = (r: RequestCounts | undefined): Record<string, Cell> =>
  r
    ? { get: r.get, put: r.put, list: r.list, del: r.delete, mbIn: r.bytesIn / 1e6, mbOut: r.bytesOut / 1e6 }
    : { get: null, put: null, list: null, del: null, mbIn: null, mbOut: null };
const reqColumns = [
  { key: 'get', label: 'GET', digits: 0 },
  { key: 'put', label: 'PUT', digits: 0 },
  { key: 'list', label: 'LIST pages', digits: 0 },
  { key: 'del', label: 'DELETE', digits: 0 },
  { key: 'mbIn', label: 'MB read', digits: 1 },
  { key: 'mbOut', label: 'MB written', digits: 1 },
];

/** First (cold) and warm mean of a run of partitions in one process. */
function coldWarm(label: string, m: Measured<Json>, mib: number): Record<string, Cell>[] {
  const runs = (m.result ?? []) as unknown as PartitionRun[];
  if (!m.ok || runs.length === 0)
    return [{ case: failCell(label, m), n: null, s: null, cpu: null, rss: null, ...reqCells(undefined) }];
  const warm = runs.slice(1);
  const mean = (f: (r: PartitionRun) => number) => warm.reduce((a, r) => a + f(r), 0) / Math.max(1, warm.length);
  const meanReq = warm.length
    ? (Object.fromEntries(Object.keys(warm[0].requests).map((k) => [k, mean((r) => r.requests[k])])) as RequestCounts)
    : undefined;
  const limit = `${((100 * m.peakRssMB) / mibToMB(mib)).toFixed(0)} % of ${mib} MiB`;
  const first = runs[0];
  return [
    {
      case: `${label}: first partition (cold)`,
      n: 1,
      s: first.seconds,
      cpu: first.cpuSeconds,
      rss: m.peakRssMB,
      limit,
      ...reqCells(first.requests),
    },
    {
      case: `${label}: next partitions (warm), mean`,
      n: warm.length,
      s: mean((r) => r.seconds),
      cpu: mean((r) => r.cpuSeconds),
      rss: null,
      limit: null,
      ...reqCells(meanReq),
    },
  ];
}

export const section: Section = {
  name: 'sizing',
  title: 'Sizing: the largest symbol-day per job within its Lambda, per-partition times for rebuilds, symbols per collector task',
  async run(ctx) {
    const q = ctx.quick;
    const silverFlags = lambdaFlags(SILVER_MIB);
    const goldFlags = lambdaFlags(GOLD_MIB);
    const notes: string[] = [];

    // --- Silver: one live day at growing activity ------------------------------------------------------------
    const capturedTrades = Math.round(CAPTURED_TRADES_PER_SECOND * 86_400);
    const cases: SilverCase[] = [
      ...[1, 2, 3].map((k) => ({
        label: `${k}× reference`,
        tradesPerDay: REFERENCE_TRADES_PER_DAY * k,
        quotesPerSecond: REFERENCE_QUOTES_PER_SECOND * k,
        series: k === 1 ? ['k', 'trades'] : ['k'],
      })),
      {
        label: '6× trades',
        tradesPerDay: REFERENCE_TRADES_PER_DAY * 6,
        quotesPerSecond: REFERENCE_QUOTES_PER_SECOND,
        series: ['trades'],
      },
      {
        label: 'captured trades, half the captured quotes',
        tradesPerDay: capturedTrades,
        quotesPerSecond: CAPTURED_QUOTES_PER_SECOND / 2,
        series: ['quotes'],
      },
      {
        label: 'BTCUSDT at captured rates',
        tradesPerDay: capturedTrades,
        quotesPerSecond: CAPTURED_QUOTES_PER_SECOND,
        series: ['quotes'],
      },
    ];
    const live = q ? cases.slice(0, 2) : cases;
    const silverRows: Record<string, Cell>[] = [];
    const points: SilverPoint[] = [];
    let reference: Measured<SilverOut> | undefined;
    let steps: ChildOutcome<Json> | undefined;
    const silverData: Json[] = [];
    const root = path.join(ctx.workDir, 'silver-lake');
    for (const c of live) {
      rmSync(root, { recursive: true, force: true });
      ctx.log(`silver ${c.label}: setup`);
      const setup = await ctx.child<SetupResult>({
        module: SILVER_SETUP,
        fn: 'setup',
        args: {
          root,
          hours: q ? 1 : 24,
          tradesPerDay: c.tradesPerDay,
          quotesPerSecond: c.quotesPerSecond,
          filesPerHour: 12,
          liveKlines: true,
          tradeIdOffset: BTCUSDT_TRADE_ID - 1e9,
        },
      });
      if (!setup.ok) throw new Error(`silver setup failed: ${setup.error}`);
      const input = setup.result;
      const m = await ctx.measure<SilverOut>(
        `silver ${c.label}`,
        { module: TASKS, fn: 'silverDay', args: { root }, nodeFlags: silverFlags },
        1,
      );
      reference ??= m;
      if (m.ok) {
        points.push({
          series: c.series,
          trades: input.trades,
          quotes: input.quotes,
          rss: m.peakRssMB,
          s: m.seconds,
          cpu: m.cpuSeconds,
        });
      }
      // The heaviest day once more, step by step, to show which step sets the peak.
      if (c === live[live.length - 1]) {
        ctx.log(`silver ${c.label}: by step`);
        steps = await ctx.child({ module: SILVER_TASKS, fn: 'stages', args: { root }, nodeFlags: silverFlags });
      }
      const ratio = (v: number, r: number) => `${(v / r).toFixed(2)}×`;
      const withinMemory = m.peakRssMB <= mibToMB(SILVER_MIB),
        withinTime = m.seconds <= TIMEOUT_S;
      silverRows.push({
        case: c.label,
        trades: input.trades,
        quotes: input.quotes,
        book: input.book,
        files: input.files,
        bronzeMB: input.bronzeMB,
        s: m.ok ? m.seconds : failCell(c.label, m),
        cpu: m.ok ? m.cpuSeconds : null,
        rss: m.ok ? m.peakRssMB : null,
        vsRef:
          m.ok && reference.ok
            ? `${ratio(m.cpuSeconds, reference.cpuSeconds)} CPU, ${ratio(m.peakRssMB, reference.peakRssMB)} RSS`
            : null,
        fits: m.ok
          ? `${withinMemory && withinTime ? '✓' : '✗'} ${((100 * m.peakRssMB) / mibToMB(SILVER_MIB)).toFixed(0)} % of memory, ` +
            `${((100 * m.seconds) / TIMEOUT_S).toFixed(0)} % of time`
          : `✗ ${m.error}`,
        ...reqCells(m.ok ? m.result?.requests : undefined),
      });
      silverData.push({ case: c.label, input: input as Json, lambda: m as unknown as Json });
    }
    rmSync(root, { recursive: true, force: true });
    const silverTable: ReportTable = {
      title:
        `Silver for one live day of one symbol, in a child with the V8 limits of a ${SILVER_MIB} MiB Lambda ` +
        `(${silverFlags.join(' ')})`,
      columns: [
        { key: 'case', label: 'day' },
        { key: 'trades', label: 'Bronze trades', digits: 0 },
        { key: 'quotes', label: 'quotes', digits: 0 },
        { key: 'book', label: 'book_top10', digits: 0 },
        { key: 'files', label: 'Bronze files', digits: 0 },
        { key: 'bronzeMB', label: 'Bronze MB', digits: 0 },
        { key: 's', label: 'wall s' },
        { key: 'cpu', label: 'CPU s' },
        { key: 'rss', label: 'peak RSS MB', digits: 0 },
        { key: 'vsRef', label: 'vs 1×' },
        { key: 'fits', label: `within ${SILVER_MIB} MiB and ${TIMEOUT_S} s` },
        ...reqColumns,
      ],
      rows: silverRows,
      notes: [
        'Bronze as the collector writes it: one file per dataset (and kline timeframe) per 5-minute flush, 12 an hour; ' +
          "trades with 1 % replayed copies and ids from 3.7 billion (BTCUSDT's); book_top10 every 100 ms (the stream's rate, " +
          'whatever the activity); quotes at the top of the book, the given number a second; 1m, 5m and 15m klines updated ' +
          'every 2 s and closed, as the kline streams send them.',
        `"k× reference": trades and quotes k times those of the silver section's day (${fmt(REFERENCE_TRADES_PER_DAY)} trades, ` +
          `${REFERENCE_QUOTES_PER_SECOND} quotes/s). "Captured": ${CAPTURED_TRADES_PER_SECOND} trades/s and ` +
          `${CAPTURED_QUOTES_PER_SECOND} bookTicker/s, Binance spot BTCUSDT 2024-08-09 00:00–00:05 (testdata hftbacktest_ws).`,
        `${SILVER_MIB} MiB = ${fmt(mibToMB(SILVER_MIB))} MB. V8's heap flags do not bound RSS: the columns are ArrayBuffers ` +
          'outside the heap, ' +
          "so a day can pass the function's memory without a V8 error; Lambda would stop it there.",
        'Requests are what the same run asks of S3 (counted around the local store); MB are Parquet bytes. One run per case.',
      ],
    };

    const limitRows: Record<string, Cell>[] = [];
    const series: [string, string, (p: SilverPoint) => number][] = [
      ['k', 'trades + quotes, in the reference mix (book_top10 at 864,000)', (p) => p.trades + p.quotes],
      ['trades', 'trades, quotes at 10/s', (p) => p.trades],
      ['quotes', `quotes, trades at ${CAPTURED_TRADES_PER_SECOND}/s`, (p) => p.quotes],
    ];
    for (const [name, varies, x] of series) {
      const ps = points.filter((p) => p.series.includes(name));
      if (ps.length < 2) continue;
      const rss = fitLine(
        ps.map(x),
        ps.map((p) => p.rss),
      );
      const cpu = fitLine(
        ps.map(x),
        ps.map((p) => p.cpu),
      );
      limitRows.push({
        varies,
        points: ps.length,
        rssA: rss.a,
        rssB: rss.b * 1e6,
        memAt: (mibToMB(SILVER_MIB) - rss.a) / rss.b,
        cpuA: cpu.a,
        cpuB: cpu.b * 1e6,
        timeAt: (TIMEOUT_S - cpu.a) / cpu.b,
      });
    }
    const fitTable: ReportTable = {
      title:
        'Silver: how peak memory and CPU time grow along each series (least squares over its rows) ' +
        "and where they reach the Lambda's limits",
      columns: [
        { key: 'varies', label: 'rows that vary' },
        { key: 'points', label: 'rows fitted', digits: 0 },
        { key: 'rssA', label: 'RSS MB: fixed', digits: 0 },
        { key: 'rssB', label: 'RSS MB per million rows', digits: 1 },
        { key: 'memAt', label: `rows/day at ${fmt(mibToMB(SILVER_MIB))} MB`, digits: 0 },
        { key: 'cpuA', label: 'CPU s: fixed', digits: 1 },
        { key: 'cpuB', label: 'CPU s per million rows', digits: 2 },
        { key: 'timeAt', label: `rows/day at ${TIMEOUT_S} CPU s`, digits: 0 },
      ],
      rows: limitRows.length
        ? limitRows
        : [
            {
              varies: 'needs two rows in a series',
              points: null,
              rssA: null,
              rssB: null,
              memAt: null,
              cpuA: null,
              cpuB: null,
              timeAt: null,
            },
          ],
      notes: [
        "Peak RSS is the largest of the steps' peaks, so a series fits only while the same step sets it; " +
          'the step table below names it for the heaviest day.',
      ],
    };
    const stepRows: Record<string, Cell>[] = steps?.ok
      ? (steps.result as unknown as { stage: string; seconds: number; cpuSeconds: number; peakRssMB: number }[]).map((st) => ({
          stage: st.stage,
          cpu: st.cpuSeconds,
          rss: st.peakRssMB,
        }))
      : [{ stage: steps ? failCell('steps', steps) : 'not run', cpu: null, rss: null }];
    const stepTable: ReportTable = {
      title: `Silver step by step for the heaviest day (${live[live.length - 1].label}), same V8 flags: where the peak is`,
      columns: [
        { key: 'stage', label: 'step' },
        { key: 'cpu', label: 'CPU s' },
        { key: 'rss', label: 'peak RSS during step MB', digits: 0 },
      ],
      rows: stepRows,
      notes: [
        "The silver section's step harness (bench/sections/silver/tasks.ts `stages`), each step as runSilver does it; " +
          "RSS sampled every 50 ms and at each step's end.",
      ],
    };

    // --- Silver for imported history: klines only -----------------------------------------------------------
    const kDays = q ? 3 : 20;
    const kRoot = path.join(ctx.workDir, 'klines-lake');
    ctx.log(`klines-only: ${kDays} days of archive Bronze`);
    const kSetup = await ctx.child({ module: TASKS, fn: 'klinesOnlySetup', args: { root: kRoot, days: kDays } });
    if (!kSetup.ok) throw new Error(`klines-only setup failed: ${kSetup.error}`);
    const kRun = await ctx.measure<Json>(
      `silver klines-only × ${kDays}`,
      { module: TASKS, fn: 'silverDays', args: { root: kRoot, days: kDays }, nodeFlags: silverFlags },
      1,
    );
    rmSync(kRoot, { recursive: true, force: true });

    // --- Gold: a live day (book + perpetual) and a historical day (klines only) -------------------------------
    const goldCase = async (live: boolean, days: number) => {
      const root = path.join(ctx.workDir, `gold-${live ? 'live' : 'history'}`);
      ctx.log(`gold ${live ? 'live' : 'history'}: setup`);
      const setup = await ctx.child({ module: TASKS, fn: 'goldSetup', args: { root, days, live } });
      if (!setup.ok) throw new Error(`gold setup failed: ${setup.error}`);
      const m = await ctx.measure<Json>(
        `gold ${live ? 'live' : 'history'} × ${days}`,
        { module: TASKS, fn: 'goldDays', args: { root, days }, nodeFlags: goldFlags },
        1,
      );
      rmSync(root, { recursive: true, force: true });
      return m;
    };
    const goldLive = await goldCase(true, q ? 2 : 4);
    const goldHistory = await goldCase(false, q ? 3 : 20);
    const partitionTable: ReportTable = {
      title:
        'Per-partition times a rebuild multiplies: partitions run one after the other in one child, as a warm Lambda runs them',
      columns: [
        { key: 'case', label: 'case' },
        { key: 'n', label: 'partitions', digits: 0 },
        { key: 's', label: 'wall s' },
        { key: 'cpu', label: 'CPU s' },
        { key: 'rss', label: 'peak RSS MB (whole run)', digits: 0 },
        { key: 'limit', label: "of the function's memory" },
        ...reqColumns,
      ],
      rows: [
        ...coldWarm(`Silver, klines-only day (archive import), ${SILVER_MIB} MiB flags`, kRun, SILVER_MIB),
        ...coldWarm(`Gold, live day (book + perpetual), ${GOLD_MIB} MiB flags`, goldLive, GOLD_MIB),
        ...coldWarm(`Gold, historical day (klines only), ${GOLD_MIB} MiB flags`, goldHistory, GOLD_MIB),
      ],
      notes: [
        'Klines-only: 24 hourly Bronze files of 60 closed 1m klines per day, as `lakehouse import` writes an archive day; ' +
          'Silver writes 1m + 6 derived ' +
          'timeframes and the quality report, and lists the tick datasets it finds empty.',
        'Gold lake: Silver 1m and 1d for 200 days before the first built day (sma_200_1d reads them), warm-up 12 days, ' +
          "the next day for labels; live days add 864,000 book_top10 snapshots and the perpetual's funding (every 3 s), " +
          'open interest (every minute) and liquidations.',
        'Cold = the first partition of a fresh process (JIT not warm; module loading excluded); warm = the mean of the rest. ' +
          'Requests per partition are those S3 would answer.',
      ],
    };

    // --- Collector: symbols per task --------------------------------------------------------------------------
    const holdSizes = q ? [1, 3] : [1, 10, 40, 100];
    const seconds = q ? 30 : 300;
    const holds: { n: number; o: ChildOutcome<CollectorHold> }[] = [];
    for (const n of holdSizes) {
      ctx.log(`collector: ${n} liquid symbol(s) for ${seconds} s`);
      const args = { symbols: n, seconds, workDir: ctx.workDir };
      holds.push({
        n,
        o: await ctx.child<CollectorHold>({ module: COLLECTOR, fn: 'collectorHold', args, nodeFlags: ['--expose-gc'] }),
      });
    }
    const holdRows: Record<string, Cell>[] = holds.map(({ n, o }) => {
      if (!o.ok) {
        return {
          n,
          messages: failCell(`collector ${n}`, o),
          rows: null,
          rate: null,
          cpuShare: null,
          flushCpu: null,
          held: null,
          peak: null,
          perSym: null,
          proc: null,
          parquet: null,
        };
      }
      const h = o.result;
      const cpu = h.bufferCpu - h.generateCpu;
      return {
        n,
        messages: h.messages,
        rows: h.rowsBuffered,
        rate: h.messages / cpu,
        cpuShare: `${((100 * cpu) / seconds / n).toFixed(2)} %`,
        flushCpu: h.flushCpu,
        held: h.heldRssMB,
        peak: h.peakRssBufferingMB,
        perSym: h.peakRssBufferingMB / n,
        proc: h.peakRssAfterFlushMB,
        parquet: h.parquetMB,
      };
    });
    const first = holds.find((h) => h.o.ok)?.o;
    const mix = first?.ok ? first.result : undefined;
    const last = holds[holds.length - 1]?.o;
    const lastRows = last?.ok ? last.result.rowsByDataset : {};
    const holdTable: ReportTable = {
      title: `One collector holding N liquid Binance spot symbols for ${seconds} s (one 5-minute flush interval), one core`,
      columns: [
        { key: 'n', label: 'symbols', digits: 0 },
        { key: 'messages', label: 'messages', digits: 0 },
        { key: 'rows', label: 'rows buffered', digits: 0 },
        { key: 'rate', label: 'msg/s per CPU s', digits: 0 },
        { key: 'cpuShare', label: 'core share per symbol (buffering)' },
        { key: 'flushCpu', label: 'flush CPU s (all symbols)' },
        { key: 'held', label: 'RSS held after GC over baseline MB', digits: 0 },
        { key: 'peak', label: 'peak RSS while buffering over baseline MB', digits: 0 },
        { key: 'perSym', label: 'that per symbol MB', digits: 1 },
        { key: 'proc', label: 'process peak RSS incl. flush MB', digits: 0 },
        { key: 'parquet', label: 'Parquet written MB', digits: 1 },
      ],
      rows: holdRows,
      notes: mix
        ? [
            `Per symbol and ${seconds} s: ${Object.entries(mix.perSymbol)
              .map(([k, v]) => `${k} ${fmt(v)}`)
              .join(', ')} messages ` +
              `(${(mix.messages / mix.symbols / seconds).toFixed(0)}/s); rows buffered by dataset for all symbols: ` +
              `${Object.entries(lastRows)
                .map(([k, v]) => `${k} ${fmt(v)}`)
                .join(', ')}.`,
            `Baseline RSS (Node + tsx + code, capture loaded, after GC): ${mix.baseRssMB.toFixed(0)} MB. ` +
              'The bundled Fargate image loads less code.',
            'CPU: parse + normalize + buffer per message, renaming the copies excluded (timed alone and subtracted); ' +
              'the flush encodes and writes ' +
              'every buffer as GZIP Parquet to local disk.',
          ]
        : [],
    };

    notes.push(
      `Node ${process.version}. Silver and Gold children run with the Lambda runtime's V8 flags for their memory size; ` +
        'collector children with --expose-gc (for the held figures).',
    );
    return {
      tables: [silverTable, fitTable, stepTable, partitionTable, holdTable],
      notes,
      data: {
        silver: silverData,
        points: points as unknown as Json,
        steps: (steps ?? null) as unknown as Json,
        klinesOnly: kRun as unknown as Json,
        goldLive: goldLive as unknown as Json,
        goldHistory: goldHistory as unknown as Json,
        collector: holds as unknown as Json,
      },
    };
  },
};
