import path from 'node:path';
import { failCell } from '../../lib/markdown';
import type { Cell, Json, Measured, ReportTable, SectionContext } from '../../lib/types';

/**
 * Silver for a trades-only historical day (issue 14, deliverable 8): the day `lakehouse history` loads (archive
 * trades and 1m klines, no book or quotes) through runSilver, next to DuckDB doing the same on the same Bronze in
 * the same run. Target: ours within 1.5× DuckDB's CPU time.
 */

export const TARGET_CPU_MULTIPLE = 1.5;

type Rows = { trades: number | null; bars_1s: number | null; klines_1m: number | null };
type OursResult = {
  rows: Rows;
  verdict: string;
  reasons: string[];
  parity: { compared: number; disagreeing: number } | null;
  silverMB: number;
};
type DuckResult = { rows: Rows; outMB: number };

export interface SilverSize {
  rows: Record<string, Cell>[];
  data: Json;
}

const n = (v: number | null) => (v === null ? '?' : v.toLocaleString('en-US'));
const rowsText = (r: Rows | undefined) =>
  r ? `${n(r.trades)} trades, ${n(r.bars_1s)} bars_1s, ${n(r.klines_1m)} klines 1m` : null;

/**
 * One size: imports the day's 1m klines into the lake that already holds its trades (untimed), then measures
 * runSilver and DuckDB's SQL (Snappy, its default, and GZIP, ours) on it.
 */
export async function measureSilver(
  ctx: SectionContext,
  tasks: string,
  p: { dir: string; lake: string; klinesFile: string; label: string; runs: number },
): Promise<SilverSize> {
  ctx.log(`importing the day's 1m klines (untimed)`);
  const klines = await ctx.child({ module: tasks, fn: 'importKlines', args: { file: p.klinesFile, root: p.lake } });
  if (!klines.ok) {
    const cell = failCell('klines import', klines);
    return { rows: [{ size: p.label, case: 'ours (runSilver)', wall: cell }], data: { klines: klines as unknown as Json } };
  }
  const ours = await ctx.measure<OursResult>(
    `silver ours ${p.label}`,
    { module: tasks, fn: 'silverOurs', args: { root: p.lake } },
    p.runs,
  );
  const duckCase = (codec: 'snappy' | 'gzip') =>
    ctx.measure<DuckResult>(
      `silver duckdb ${codec} ${p.label}`,
      { module: tasks, fn: 'silverDuckdb', args: { root: p.lake, out: path.join(p.dir, `silver-duck-${codec}`), codec } },
      p.runs,
    );
  const duck = await duckCase('snappy');
  const duckGzip = await duckCase('gzip');
  const perCpu = (d: Measured) => (ours.ok && d.ok ? d.cpuSeconds / ours.cpuSeconds : null);
  const cpuRatio = perCpu(duck);
  const row = (
    name: string,
    m: Measured<OursResult> | Measured<DuckResult>,
    extra: Record<string, Cell>,
  ): Record<string, Cell> =>
    m.ok
      ? {
          size: p.label,
          case: name,
          rows: rowsText(m.result?.rows),
          wall: m.seconds,
          cpu: m.cpuSeconds,
          rss: m.peakRssMB,
          ...extra,
        }
      : { size: p.label, case: name, wall: failCell(name, m) };
  const o = ours.result;
  const verdict = o
    ? `${o.verdict}${o.reasons.length ? ` (${o.reasons.join('; ')})` : ''}` +
      (o.parity ? `; trade-bar parity ${o.parity.compared - o.parity.disagreeing}/${o.parity.compared} minutes agree` : '')
    : null;
  return {
    rows: [
      row('ours (runSilver)', ours, {
        mb: o?.silverMB ?? null,
        cpuRatio,
        gzipRatio: perCpu(duckGzip),
        verdict,
        target:
          cpuRatio === null
            ? null
            : `${ours.cpuSeconds <= TARGET_CPU_MULTIPLE * duck.cpuSeconds ? '✓' : '✗'} (${cpuRatio.toFixed(2)})`,
      }),
      row('duckdb (Snappy)', duck, { mb: duck.result?.outMB ?? null }),
      row('duckdb (GZIP)', duckGzip, { mb: duckGzip.result?.outMB ?? null }),
    ],
    data: { ours: ours as unknown as Json, duckdb: duck as unknown as Json, duckdbGzip: duckGzip as unknown as Json },
  };
}

export function silverTable(rows: Record<string, Cell>[], runs: number): ReportTable {
  return {
    title: 'Silver for a trades-only historical day (archive trades + 1m klines, no book or quotes), one core',
    columns: [
      { key: 'size', label: 'day' },
      { key: 'case', label: 'case' },
      { key: 'rows', label: 'Silver rows' },
      { key: 'wall', label: 'wall s', digits: 2 },
      { key: 'cpu', label: 'CPU s', digits: 2 },
      { key: 'rss', label: 'peak RSS MB', digits: 0 },
      { key: 'mb', label: 'Silver Parquet MB', digits: 1 },
      { key: 'cpuRatio', label: 'ours / DuckDB (Snappy) per CPU s', digits: 2 },
      { key: 'gzipRatio', label: 'ours / DuckDB (GZIP) per CPU s', digits: 2 },
      { key: 'verdict', label: 'verdict' },
      {
        key: 'target',
        label: `≤ ${TARGET_CPU_MULTIPLE}× DuckDB (Snappy) CPU s (ratio ≥ ${(1 / TARGET_CPU_MULTIPLE).toFixed(3)})`,
      },
    ],
    rows,
    notes: [
      "Input: the lake the import rows above wrote (the day's Bronze trades), plus the day's spot 1m klines CSV, generated from the " +
        'same trades (OHLC, volume, count per minute, µs times) and imported untimed with importLocalArchiveFile.',
      'ours = `runSilver({ store, dt, exchange, symbol })`: klines 1m cleaned + 6 derived timeframes, trades read, validated, ' +
        'deduplicated, sorted, flagged, id gaps checked, written with their quarantine, bars_1s from the trades alone, the quality ' +
        "report with the trade-bar parity (the 1m klines against the trades' bars); Silver Parquet is GZIP level 1.",
      'duckdb = the same day in SQL with SET threads = 1 (bench/sections/silver/sql.ts without book): last update per kline ' +
        'minute + derived timeframes, first copy per trade_id by ingest_time sorted by trade_id, bars_1s (OHLCV, vwap, count, no ' +
        "bid/ask); the target reads DuckDB's default Snappy, the GZIP row uses our codec. No validator, flags, gaps, parity or quarantine.",
      'ours / DuckDB per CPU s = DuckDB CPU s ÷ ours CPU s (1 = as fast, < 1 = slower). ' +
        `Medians of ${runs} fresh child process(es) per case; peak RSS is the child's maxRSS including Node + tsx (~100 MB at rest).`,
    ],
  };
}
