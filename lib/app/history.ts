import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ARCHIVE_BASE_URL,
  dailyFilesOf,
  dayOf,
  planArchive,
  type ArchiveDatasetRequest,
  type ArchiveFile,
  type ArchiveGap,
} from '../exchanges/binance/archive-layout';
import { DEFAULT_RETRY, seededRandom, type DownloadOptions, type RetryPolicy } from '../history/archive-download';
import { importArchiveFile, type FileOutcome } from '../history/archive-file-import';
import { archiveRowMappers, supportedArchiveDatasets } from '../history/archive-rows';
import { ARCHIVE_EXCHANGE_MARKETS } from '../history/import-archive-dataset';
import { readLedgerRecord } from '../history/import-ledger';
import { KLINE_TIMEFRAMES } from '../schema/columns';
import type { ObjectStore } from '../storage/object-store';
import { UserError } from '../util/errors';
import type { Progress } from '../util/progress';

/**
 * `lakehouse history` (docs/history.md, "lakehouse history"): a request {exchange, symbols, datasets, from, to}
 * planned onto data.binance.vision's files (`planArchive`; daily files stand in for a monthly one that answers 404),
 * each file fetched, verified and imported into Bronze by lib/history/archive-file-import.ts with bounded
 * concurrency, and recorded in the import ledger. A file that fails is named and the rest goes on; the summary
 * counts files imported, skipped (in the ledger with the same checksum), missing (404) and failed.
 */

/** The exchanges whose history the Binance archive holds, and their market in it. */
export const HISTORY_MARKETS = ARCHIVE_EXCHANGE_MARKETS;
export type HistoryExchange = keyof typeof HISTORY_MARKETS;
export const HISTORY_EXCHANGES = Object.keys(HISTORY_MARKETS) as HistoryExchange[];

export const DEFAULT_HISTORY_CONCURRENCY = 4;

export interface HistoryOptions {
  readonly store: ObjectStore;
  readonly exchange: HistoryExchange;
  readonly symbols: readonly string[];
  readonly datasets: readonly ArchiveDatasetRequest[];
  readonly from: string;
  readonly to: string;
  readonly baseUrl?: string;
  readonly concurrency?: number;
  /** Where ZIPs wait while they are read (historyTmpDir). */
  readonly tmpDir: string;
  readonly now?: () => number;
  /** Waits between retries; tests pass one that records and returns at once. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Seed of the retry jitter. */
  readonly seed?: number;
  readonly retry?: RetryPolicy;
  readonly signal?: AbortSignal;
  readonly progress?: Progress;
  /** Called with each file's Bronze written, before its ledger row (tests interrupt a run here). */
  readonly beforeCommit?: (file: ArchiveFile) => void | Promise<void>;
  /** Hears of each file as it ends. */
  readonly onFile?: (outcome: FileOutcome) => void;
}

export interface HistorySummary {
  exchange: HistoryExchange;
  from: string;
  to: string;
  files: { planned: number; imported: number; skipped: number; missing: number; failed: number };
  rows: number;
  rejected: number;
  bytes: number;
  seconds: number;
  /** Monthly files the archive does not have (yet), replaced by their daily files. */
  monthlyFallbacks: string[];
  missing: string[];
  failed: { path: string; reason: string }[];
  /** Parts of the request no archive file can serve (not published yet, not published in that period). */
  gaps: ArchiveGap[];
}

/** `<lake>/_history/tmp` for a local lake; the system's temp folder for an S3 lake. */
export function historyTmpDir(store: ObjectStore): string {
  return store.localRoot ? path.join(store.localRoot, '_history', 'tmp') : path.join(os.tmpdir(), 'lakehouse-history');
}

/** One line for a request that cannot be served as asked, before anything is fetched; undefined when it can. */
export function historyRequestProblem(exchange: HistoryExchange, datasets: readonly ArchiveDatasetRequest[]): string | undefined {
  const market = HISTORY_MARKETS[exchange];
  const supported = supportedArchiveDatasets(market).map((name) => (name === 'klines' ? 'klines:<interval>' : name));
  for (const wanted of datasets) {
    if (archiveRowMappers(market, wanted.dataset).length === 0) {
      // Every dataset the archive publishes has a mapper (lib/history/archive-rows/index.ts): the rest are not published.
      return `the ${market} archive (${exchange}) publishes no ${wanted.dataset} (it has: ${supported.join(', ')})`;
    }
    if (wanted.interval !== undefined && !(KLINE_TIMEFRAMES as readonly string[]).includes(wanted.interval)) {
      return `klines:${wanted.interval}: Bronze keeps klines of ${KLINE_TIMEFRAMES.join(', ')}`;
    }
  }
  return undefined;
}

export async function runHistory(options: HistoryOptions): Promise<HistorySummary> {
  const problem = historyRequestProblem(options.exchange, options.datasets);
  if (problem) throw new UserError(problem);
  if (options.from > options.to) throw new UserError(`--from ${options.from} is after --to ${options.to}`);
  const now = options.now ?? Date.now;
  const started = now();
  const market = HISTORY_MARKETS[options.exchange];
  const symbols = options.symbols.map((symbol) => symbol.toUpperCase());
  const plan = planArchive({ market, symbols, datasets: options.datasets, from: options.from, to: options.to }, dayOf(started));
  const summary: HistorySummary = {
    exchange: options.exchange,
    from: options.from,
    to: options.to,
    files: { planned: plan.files.length, imported: 0, skipped: 0, missing: 0, failed: 0 },
    rows: 0,
    rejected: 0,
    bytes: 0,
    seconds: 0,
    monthlyFallbacks: [],
    missing: [],
    failed: [],
    gaps: plan.gaps,
  };
  const download: DownloadOptions = {
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: seededRandom(options.seed ?? 1),
    now,
    retry: options.retry ?? DEFAULT_RETRY,
    signal: options.signal,
  };
  const meter = new HistoryMeter(now, options.progress);
  meter.total = plan.files.length;
  const queue = [...plan.files];
  let halted = false;

  const importOne = async (file: ArchiveFile) => {
    const outcome = await importArchiveFile({
      store: options.store,
      exchange: options.exchange,
      file,
      mappers: archiveRowMappers(market, file.dataset),
      signal: options.signal,
      baseUrl: options.baseUrl ?? ARCHIVE_BASE_URL,
      tmpDir: options.tmpDir,
      download,
      previous: await readLedgerRecord(options.store, options.exchange, file),
      now,
      beforeCommit: options.beforeCommit,
      onBytes: (bytes) => meter.add(bytes, 0),
      onRows: (rows) => meter.add(0, rows),
    });
    const fallback = outcome.status === 'missing' && file.period === 'monthly' ? dailyFilesOf(file) : [];
    if (fallback.length > 0) {
      // The monthly file is not there (yet): its days come as daily files (docs/history.md, "Periods").
      summary.monthlyFallbacks.push(file.urlPath);
      summary.files.planned += fallback.length - 1;
      meter.total += fallback.length - 1;
      queue.unshift(...fallback);
    } else {
      count(summary, outcome);
      meter.fileDone();
    }
    summary.bytes += outcome.bytes;
    options.onFile?.(outcome);
  };

  // A worker with an empty queue waits while others work: a monthly file's 404 may still queue its days.
  let inFlight = 0;
  let wake: (() => void)[] = [];
  const worker = async () => {
    while (!halted && (queue.length > 0 || inFlight > 0)) {
      const file = queue.shift();
      if (!file) {
        await new Promise<void>((resolve) => wake.push(resolve));
        continue;
      }
      inFlight++;
      try {
        await importOne(file);
      } catch (error) {
        halted = true;
        throw error;
      } finally {
        inFlight--;
        const waiting = wake;
        wake = [];
        for (const resume of waiting) resume();
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, options.concurrency ?? DEFAULT_HISTORY_CONCURRENCY) }, worker);
  // Every worker ends its file before the run ends, so nothing is written after runHistory returns or throws.
  const settled = await Promise.allSettled(workers);
  await fs.rm(options.tmpDir, { recursive: true, force: true }).catch(() => undefined);
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  meter.end();
  summary.seconds = Math.round((now() - started) / 100) / 10;
  return summary;
}

function count(summary: HistorySummary, outcome: FileOutcome): void {
  summary.files[outcome.status]++;
  summary.rows += outcome.rows;
  summary.rejected += outcome.rejected;
  if (outcome.status === 'missing') summary.missing.push(outcome.file.urlPath);
  if (outcome.status === 'failed') summary.failed.push({ path: outcome.file.urlPath, reason: outcome.reason ?? 'failed' });
}

/** Files done of the total, bytes, rows, rate and ETA, on the progress line at most every half second. */
class HistoryMeter {
  total = 0;
  private done = 0;
  private bytes = 0;
  private rows = 0;
  private shownAt = Number.NEGATIVE_INFINITY;
  private readonly started: number;

  constructor(
    private readonly now: () => number,
    private readonly progress: Progress | undefined,
  ) {
    this.started = now();
  }

  add(bytes: number, rows: number): void {
    this.bytes += bytes;
    this.rows += rows;
    this.show(false);
  }

  fileDone(): void {
    this.done++;
    this.show(true);
  }

  end(): void {
    this.show(true);
  }

  private show(always: boolean): void {
    if (!this.progress) return;
    const at = this.now();
    if (!always && at - this.shownAt < 500) return;
    this.shownAt = at;
    const seconds = Math.max(0.001, (at - this.started) / 1000);
    const left = this.total - this.done;
    const eta = this.done > 0 && left > 0 ? `, ETA ${Math.ceil((seconds / this.done) * left)} s` : '';
    const megabytes = (this.bytes / 1_048_576).toFixed(1);
    const rate = Math.round(this.rows / seconds).toLocaleString('en-US');
    const rows = this.rows.toLocaleString('en-US');
    this.progress(`history: ${this.done}/${this.total} files, ${megabytes} MB, ${rows} rows, ${rate} rows/s${eta}`);
  }
}
