import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Cell, Json, Measured, ReportTable, Section, SectionContext } from '../../lib/types';
import { failCell } from '../../lib/markdown';
import { sameChecksum, type Checksum } from './checksum';
import { BENCH_DATASETS, specOf, type BenchDataset } from './inputs';
import { CONTENDERS, LIBRARIES, type Contender } from './libraries';
import { bundleCheck, coldStarts } from './startup';
import type { Verification } from './verify';

/**
 * Parquet libraries on Bronze-shaped data (issue: choose the Parquet path; decision in docs/decisions.md).
 * Each write and each read runs in its own child process; every written file is then checked with DuckDB for
 * timestamp types, codec and row count, and every read is checked against the writer's fingerprint.
 */

const FULL: Record<BenchDataset, number> = { trades: 1_000_000, book_top10: 864_000 };
/** A twentieth: parquetjs-lite's book write then takes ~12 s, and `--quick --only parquet` about a minute. */
const QUICK: Record<BenchDataset, number> = { trades: 50_000, book_top10: 43_200 };

const VERIFY = path.join(__dirname, 'verify.ts');
const NOOP = path.join(__dirname, '..', '..', 'lib', 'noop.ts');

type WriteResult = { bytes: number; checksum: Checksum };
type ReadResult = { rows: number; checksum: Checksum };

interface CaseOutcome {
  contender: Contender;
  runs: number;
  write: Measured<WriteResult>;
  verify?: { ok: true; result: Verification } | { ok: false; error: string };
  read?: Measured<ReadResult>;
}

function version(repoRoot: string, pkg: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '?';
  }
}

async function runCase(ctx: SectionContext, d: BenchDataset, rows: number, c: Contender): Promise<CaseOutcome> {
  const file = path.join(ctx.workDir, `${c.id}-${d}.parquet`);
  const args = { dataset: d, rows, file };
  const runs = ctx.quick ? 1 : c.runs;
  const task = { module: c.module, args, nodeFlags: c.nodeFlags };
  const write = await ctx.measure<WriteResult>(`${d} write ${c.id}`, { ...task, fn: 'write' }, runs);
  if (!write.ok) return { contender: c, runs, write };
  const timestampColumns = specOf(d)
    .columns.filter((col) => col.type === 'timestamp')
    .map((col) => col.name);
  const v = await ctx.child<Verification>({ module: VERIFY, fn: 'verify', args: { file, timestampColumns } });
  const verify = v.ok ? { ok: true as const, result: v.result } : { ok: false as const, error: v.error };
  const read = await ctx.measure<ReadResult>(`${d} read ${c.id}`, { ...task, fn: 'read' }, runs);
  return { contender: c, runs, write, verify, read };
}

function correctness(o: CaseOutcome, rows: number): Cell {
  const parts: string[] = [];
  if (o.verify?.ok) parts.push(o.verify.result.rows === rows ? 'DuckDB count ✓' : `DuckDB count ✗ (${o.verify.result.rows})`);
  if (o.read?.ok && o.read.result && o.write.result) {
    parts.push(sameChecksum(o.read.result.checksum, o.write.result.checksum) ? 'own read ✓' : 'own read ✗ (values differ)');
  } else if (o.read && !o.read.ok) parts.push('own read ✗');
  return parts.join(', ') || null;
}

function datasetTables(d: BenchDataset, rows: number, outcomes: CaseOutcome[], quick: boolean): ReportTable[] {
  const title = `${d}: ${rows.toLocaleString('en-US')} rows × ${specOf(d).columns.length} columns${quick ? ' (quick)' : ''}`;
  const reference = { key: 'case', value: CONTENDERS[0].label };
  const speed: ReportTable = {
    title: `${title}: time and size`,
    reference,
    columns: [
      { key: 'case', label: 'case' },
      { key: 'runs', label: 'runs', digits: 0 },
      { key: 'write', label: 'write s', ratio: true },
      { key: 'writeCpu', label: 'write CPU s', ratio: true },
      { key: 'read', label: 'read s', ratio: true },
      { key: 'readCpu', label: 'read CPU s', ratio: true },
      { key: 'size', label: 'file MB', digits: 1, ratio: true },
    ],
    rows: outcomes.map((o) => {
      const { write: w, read: r } = o;
      return {
        case: o.contender.label,
        runs: o.runs,
        write: w.ok ? w.seconds : failCell(`${o.contender.id} write`, w),
        writeCpu: w.ok ? w.cpuSeconds : null,
        read: !r ? null : r.ok ? r.seconds : failCell(`${o.contender.id} read`, r),
        readCpu: r?.ok ? r.cpuSeconds : null,
        size: w.ok && w.result ? w.result.bytes / 1e6 : null,
      };
    }),
  };
  const memory: ReportTable = {
    title: `${title}: memory and what DuckDB sees in the file`,
    reference,
    columns: [
      { key: 'case', label: 'case' },
      { key: 'writeRss', label: 'write peak RSS MB', digits: 0, ratio: true },
      { key: 'writeOver', label: 'write RSS over input MB', digits: 0 },
      { key: 'readRss', label: 'read peak RSS MB', digits: 0, ratio: true },
      { key: 'describe', label: 'timestamps (DESCRIBE)' },
      { key: 'annotation', label: 'timestamp annotation' },
      { key: 'codec', label: 'codec (row groups)' },
      { key: 'check', label: 'rows / round trip' },
    ],
    rows: outcomes.map((o) => {
      const { write: w, verify: v, read: r } = o;
      return {
        case: o.contender.label,
        writeRss: w.ok ? w.peakRssMB : null,
        writeOver: w.ok ? w.peakRssMB - w.readyRssMB : null,
        readRss: r?.ok ? r.peakRssMB : null,
        describe: !v
          ? null
          : v.ok
            ? [...new Set(Object.values(v.result.describe))].join(', ')
            : failCell(`${o.contender.id} DuckDB check`, v),
        annotation: v?.ok ? v.result.annotation : null,
        codec: v?.ok ? `${v.result.codecs.join(', ')} (${v.result.rowGroups})` : null,
        check: correctness(o, rows),
      };
    }),
  };
  return [speed, memory];
}

export const section: Section = {
  name: 'parquet',
  title: 'Parquet libraries: write, read, size, memory (Bronze trades and book_top10)',
  async run(ctx) {
    const rows = ctx.quick ? QUICK : FULL;
    const v = (p: string) => version(ctx.repoRoot, p);
    const versions =
      `hyparquet ${v('hyparquet')}, hyparquet-writer ${v('hyparquet-writer')}, ` +
      `parquetjs-lite ${v('parquetjs-lite')}, @duckdb/node-api ${v('@duckdb/node-api')}`;
    ctx.log(versions);

    const baseline = await ctx.child({ module: NOOP, fn: 'noop' });
    const tables: ReportTable[] = [];
    const data: Record<string, Json> = {};
    const inputRss: string[] = [];
    for (const d of BENCH_DATASETS) {
      const outcomes: CaseOutcome[] = [];
      for (const c of CONTENDERS) if (!(ctx.quick && c.fullOnly)) outcomes.push(await runCase(ctx, d, rows[d], c));
      tables.push(...datasetTables(d, rows[d], outcomes, ctx.quick));
      data[d] = outcomes as unknown as Json;
      const ours = outcomes[0].write;
      if (ours.ok) inputRss.push(`${d} ${ours.readyRssMB.toFixed(0)} MB`);
    }

    ctx.log('cold starts');
    const cold = coldStarts(LIBRARIES, ctx.repoRoot, ctx.quick ? 3 : 9);
    const startupRows: Record<string, Cell>[] = [];
    const bundleNotes: string[] = [];
    for (const lib of LIBRARIES) {
      ctx.log(`bundle ${lib.id}`);
      const b = await bundleCheck(lib, ctx.repoRoot, ctx.workDir);
      const cs = cold.get(lib.id)!;
      if (b.plainError) bundleNotes.push(`${lib.id}: plain bundling fails: ${b.plainError}`);
      startupRows.push({
        library: lib.label,
        importMs: 'error' in cs ? { error: cs.error } : cs.importMs,
        overEmpty: 'error' in cs ? null : cs.overEmptyMs,
        rss: 'error' in cs ? null : cs.rssMB,
        bundle: b.error
          ? { error: `${lib.id} bundle: ${b.error}` }
          : b.plainError
            ? `plain fails (see below); builds with ${b.how}`
            : b.how,
        kb: b.bundleKB ?? null,
        runs: b.runs ?? null,
      });
    }
    tables.push({
      title: 'Cold start and esbuild bundling (platform=node, format=cjs)',
      columns: [
        { key: 'library', label: 'library' },
        { key: 'importMs', label: 'import ms', digits: 0 },
        { key: 'overEmpty', label: 'process wall ms over empty node', digits: 0 },
        { key: 'rss', label: 'RSS after import MB', digits: 0 },
        { key: 'bundle', label: 'esbuild bundle' },
        { key: 'kb', label: 'bundle KB', digits: 0 },
        { key: 'runs', label: 'bundle runs with no node_modules' },
      ],
      rows: startupRows,
      notes: [
        `Plain \`node\` (no tsx), median of ${ctx.quick ? 3 : 9} fresh processes each; bundles unminified.`,
        ...bundleNotes,
      ],
    });

    const notes = [
      `Versions: ${versions}; Node ${process.version}.`,
      `Figures are medians over the runs shown; each write and each read is its own fresh process (node + tsx loader; an ` +
        `empty one peaks at ${baseline.peakRssMB?.toFixed(0) ?? '?'} MB RSS).`,
      `Write processes first build the input table; their RSS with it held is ${inputRss.join(', ')}. "write RSS over input" ` +
        `is peak RSS minus that: what the write itself costs.`,
      'Read s includes reading the file into memory and converting to JS columns: a Table (Float64Array, NaN = null) for ' +
        "ours, parquetjs-lite and DuckDB; hyparquet's own column chunks (Date objects for timestamps) for the raw case.",
      'DuckDB write = open an in-memory database, append the rows in data chunks, COPY to Parquet (zstd); it runs on both ' +
        'cores, so its CPU s exceeds its wall s.',
      'CPU s is user + system time of the whole child process over the timed block: steadier than wall time when other work ' +
        'shares the machine.',
    ];
    return {
      tables,
      notes,
      data: { rows: rows as unknown as Json, versions, cases: data, baselineRssMB: baseline.peakRssMB ?? null },
    };
  },
};
