/**
 * Shared types of the bench framework. A section is one file exporting `section: Section`, registered by one
 * line in bench/sections.ts; it measures whatever it likes (usually cases in child processes via `ctx.measure`)
 * and returns tables that the runner prints as Markdown.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A function exported by a module, run in a fresh child process (see lib/child-main.ts). */
export interface ChildTask {
  /** Absolute path of the .ts module; sections usually pass `path.join(__dirname, 'x.ts')`. */
  module: string;
  /** Name of the exported `TaskFn`. */
  fn: string;
  /** Serialisable arguments passed to the function. */
  args?: Json;
  /** Extra Node flags for the child (e.g. `--max-old-space-size=8192`). */
  nodeFlags?: string[];
  /** Kill the child after this long; a timeout is reported as a failure, not thrown. Default 30 min. */
  timeoutMs?: number;
}

/** What a child reports back. Sizes are MB (10^6 bytes), times seconds. */
export interface ChildFigures {
  /** Duration of the `probe.time()` block, or of the whole task when it used none. */
  seconds: number;
  /** CPU time (user + system, all threads) over the same span: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  /** RSS when the task called `probe.ready()` (its input built), or at start. */
  readyRssMB: number;
  /** Peak RSS of the child process over its whole life (`process.resourceUsage().maxRSS`). */
  peakRssMB: number;
  /** V8 heap in use and ArrayBuffer memory right after the timed block, while its result is still alive. */
  heapUsedMB: number;
  arrayBuffersMB: number;
}

export type ChildOutcome<T extends Json = Json> =
  | ({ ok: true; result: T } & ChildFigures)
  | ({ ok: false; error: string } & Partial<ChildFigures>);

/** Handed to a task inside the child. */
export interface Probe {
  /** Marks the end of setup (input generated): readyRssMB is taken now. */
  ready(): void;
  /** Times `fn`; call at most once per task. Returns what `fn` returns. */
  time<T>(fn: () => T | Promise<T>): Promise<T>;
  /** A progress line on the parent's stderr. */
  log(message: string): void;
}

export type TaskFn = (args: Json, probe: Probe) => Promise<Json>;

/** Median of several child runs of one task: each of the child figures is the median over the runs. */
export interface Measured<T extends Json = Json> extends ChildFigures {
  ok: boolean;
  runs: number;
  /** Every run's seconds, for the JSON output. */
  allSeconds: number[];
  /** Result of the last run (sections return deterministic facts such as file sizes). */
  result?: T;
  error?: string;
}

/** A table cell: a number, text, missing (null, printed as an em dash) or a failure (footnoted). */
export type Cell = number | string | null | { error: string };

export interface ColumnDef {
  key: string;
  label: string;
  /** Decimal places for numbers (default 2). */
  digits?: number;
  /** Append `(1.00×)`: the ratio of this row's value to the reference row's. */
  ratio?: boolean;
}

export interface ReportTable {
  title: string;
  columns: ColumnDef[];
  rows: Record<string, Cell>[];
  /** Key column and value identifying the reference row for ratio columns. */
  reference?: { key: string; value: string };
  notes?: string[];
}

export interface SectionReport {
  tables: ReportTable[];
  notes?: string[];
  /** Anything else worth keeping in bench/out/<section>.json. */
  data?: Json;
}

export interface SectionContext {
  /** Smaller inputs and one run per case: a smoke test, not figures to quote. */
  quick: boolean;
  /** `--scale k`: a simulated market k times as busy as the section's reference day (default 1). */
  scale: number;
  /** Scratch directory for this section, deleted afterwards. */
  workDir: string;
  /** Repository root (cwd of child processes). */
  repoRoot: string;
  /** Progress line on stderr, prefixed with the section name and elapsed time. */
  log(message: string): void;
  /** One run of a task in a fresh child process. */
  child<T extends Json = Json>(task: ChildTask): Promise<ChildOutcome<T>>;
  /** `runs` sequential runs in fresh child processes; medians. Stops at the first failure. */
  measure<T extends Json = Json>(label: string, task: ChildTask, runs: number): Promise<Measured<T>>;
}

export interface Section {
  name: string;
  title: string;
  run(ctx: SectionContext): Promise<SectionReport>;
}
