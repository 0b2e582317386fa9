import { rmSync } from 'node:fs';
import path from 'node:path';
import { failCell } from '../../lib/markdown';
import type { Cell, Measured, ReportTable, Section } from '../../lib/types';
import { measureSilver, silverTable } from './silver';
import { csvName, klinesCsvName } from './tasks';

/**
 * History import speed (issue 14, deliverable 8): a spot trades CSV → Bronze Parquet through the per-file importer
 * of `history`/`import`, rows/s and peak RSS, next to DuckDB's read_csv → COPY … TO parquet on one thread on the
 * same file in the same run. Targets: ≥ 500,000 rows/s, ≥ 0.8× DuckDB's rate, peak RSS that does not grow with the
 * file (≤ 300 MB at 10 M rows). Then Silver for that day, once its 1m klines are imported too (./silver.ts): runSilver
 * next to DuckDB's SQL of the same day, target within 1.5× DuckDB's CPU time.
 */

const TASKS = path.join(__dirname, 'tasks.ts');
export const TARGET_ROWS_PER_SECOND = 500_000;
export const TARGET_RATIO = 0.8;
export const TARGET_RSS_MB = 300;

export const section: Section = {
  name: 'history',
  title: 'History import: trades CSV → Bronze Parquet vs DuckDB read_csv → COPY TO parquet; Silver for that day vs DuckDB',
  async run(ctx) {
    const sizes = ctx.quick ? [1_000_000] : [1_000_000, 10_000_000];
    const runs = ctx.quick ? 1 : 2;
    const rows: Record<string, Cell>[] = [];
    const silverRows: Record<string, Cell>[] = [];
    const data: Record<string, unknown> = {};
    for (const size of sizes) {
      const dir = path.join(ctx.workDir, `n${size}`);
      const file = path.join(dir, csvName());
      const klinesFile = path.join(dir, klinesCsvName());
      const lake = path.join(dir, 'lake');
      ctx.log(`generating ${size.toLocaleString('en-US')} rows and their 1m klines (untimed)`);
      const made = await ctx.child<{ bytes: number }>({ module: TASKS, fn: 'generate', args: { file, rows: size, klinesFile } });
      if (!made.ok) throw new Error(`generate failed: ${made.error}`);
      const label = `${(size / 1e6).toFixed(0)} M rows (${(made.result.bytes / 1e6).toFixed(0)} MB CSV)`;
      const oursRun = await ctx.measure<{ rows: number; bronzeMB: number }>(
        `ours ${label}`,
        {
          module: TASKS,
          fn: 'ours',
          args: { file, root: lake },
        },
        runs,
      );
      const duckCase = (codec: 'snappy' | 'gzip') =>
        ctx.measure<{ rows: number; outMB: number }>(
          `duckdb ${codec} ${label}`,
          { module: TASKS, fn: 'duckdb', args: { file, out: path.join(dir, `duck-${codec}.parquet`), codec } },
          runs,
        );
      const duck = await duckCase('snappy');
      const duckGzip = await duckCase('gzip');
      const rate = (m: Measured) => (m.ok ? size / m.seconds : null);
      // Others share the 2 cores: rows per CPU second is the figure that load does not bend.
      const cpuRate = (m: Measured) => (m.ok ? size / m.cpuSeconds : null);
      const cpuRatio = oursRun.ok && duck.ok ? duck.cpuSeconds / oursRun.cpuSeconds : null;
      const gzipRatio = oursRun.ok && duckGzip.ok ? duckGzip.cpuSeconds / oursRun.cpuSeconds : null;
      const ratio = oursRun.ok && duck.ok ? duck.seconds / oursRun.seconds : null;
      const row = (name: string, m: Measured, mb: number | undefined, extra: Record<string, Cell>): Record<string, Cell> =>
        m.ok
          ? {
              size: label,
              case: name,
              wall: m.seconds,
              cpu: m.cpuSeconds,
              rate: rate(m),
              cpuRate: cpuRate(m),
              rss: m.peakRssMB,
              mb: mb ?? null,
              ...extra,
            }
          : { size: label, case: name, wall: failCell(name, m), cpu: null, rate: null, rss: null, mb: null };
      // The targets are read per CPU second: "on one core", whatever else the machine runs.
      const oursRate = cpuRate(oursRun);
      rows.push(
        row('ours', oursRun, oursRun.result?.bronzeMB, {
          ratio,
          cpuRatio,
          gzipRatio,
          target:
            oursRate === null || cpuRatio === null
              ? null
              : `${oursRate >= TARGET_ROWS_PER_SECOND ? '✓' : '✗'} rate, ${cpuRatio >= TARGET_RATIO ? '✓' : '✗'} ratio, ` +
                `${oursRun.peakRssMB <= TARGET_RSS_MB ? '✓' : '✗'} RSS`,
        }),
      );
      rows.push(row('duckdb (Snappy)', duck, duck.result?.outMB, { ratio: null, cpuRatio: null, gzipRatio: null, target: null }));
      rows.push(
        row('duckdb (GZIP)', duckGzip, duckGzip.result?.outMB, { ratio: null, cpuRatio: null, gzipRatio: null, target: null }),
      );
      const silver = await measureSilver(ctx, TASKS, {
        dir,
        lake,
        klinesFile,
        label: `${(size / 1e6).toFixed(0)} M trades`,
        runs,
      });
      silverRows.push(...silver.rows);
      data[String(size)] = { ours: oursRun as never, duckdb: duck as never, duckdbGzip: duckGzip as never, silver: silver.data };
      // 10 M rows are ~0.7 GB of CSV: not kept for the next size.
      rmSync(dir, { recursive: true, force: true });
    }
    const table: ReportTable = {
      title: 'Spot trades CSV (one day, µs times) → Bronze trades Parquet, one core',
      columns: [
        { key: 'size', label: 'file' },
        { key: 'case', label: 'case' },
        { key: 'wall', label: 'wall s', digits: 2 },
        { key: 'cpu', label: 'CPU s', digits: 2 },
        { key: 'rate', label: 'rows/s', digits: 0 },
        { key: 'cpuRate', label: 'rows per CPU s', digits: 0 },
        { key: 'rss', label: 'peak RSS MB', digits: 0 },
        { key: 'mb', label: 'Parquet MB', digits: 1 },
        { key: 'ratio', label: 'ours / DuckDB (Snappy) rate', digits: 2 },
        { key: 'cpuRatio', label: 'ours / DuckDB (Snappy) per CPU s', digits: 2 },
        { key: 'gzipRatio', label: 'ours / DuckDB (GZIP) per CPU s', digits: 2 },
        {
          key: 'target',
          label: `≥ ${TARGET_ROWS_PER_SECOND / 1000} k rows per CPU s, ≥ ${TARGET_RATIO}× DuckDB (Snappy) per CPU s, ≤ ${TARGET_RSS_MB} MB`,
        },
      ],
      rows,
      notes: [
        'ours = importLocalArchiveFile (lib/history/archive-file-import.ts) with a LocalObjectStore: parse, check, quarantine, write the ' +
          "day's Bronze object, ledger row; the file's sha256 (which `import` computes first, `history` while downloading) is not timed.",
        "duckdb = COPY (SELECT … FROM read_csv(file, columns = …)) TO 'x.parquet' (FORMAT parquet, COMPRESSION c) with SET threads = 1: " +
          'the same Bronze columns (µs → ms timestamps, constant base/quote/ingest_time/source), no checks; c = Snappy ' +
          "(DuckDB's default, larger files) or GZIP (our codec; DuckDB's level is its default).",
        `Medians of ${runs} fresh child process(es) per case; peak RSS is the child's maxRSS including Node + tsx (~100 MB at rest).`,
      ],
    };
    return { tables: [table, silverTable(silverRows, runs)], data: data as never };
  },
};
