import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ARCHIVE_BASE_URL,
  dailyFilesOf,
  dayOf,
  parseArchivePath,
  planArchive,
  type ArchiveDatasetRequest,
  type ArchiveFile,
  type ArchiveGap,
  type ArchivePlan,
} from '../exchanges/binance/archive-layout';
import { DEFAULT_RETRY, seededRandom, type DownloadOptions, type RetryPolicy } from '../history/archive-download';
import { importArchiveFile, type ArchiveFileJob, type FileOutcome } from '../history/archive-file-import';
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

export interface HistoryOptions extends HistoryRequest {
  readonly store: ObjectStore;
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

/** What a history request asks for: the CLI's flags, the history-load state machine's input. */
export interface HistoryRequest {
  readonly exchange: HistoryExchange;
  readonly symbols: readonly string[];
  readonly datasets: readonly ArchiveDatasetRequest[];
  readonly from: string;
  readonly to: string;
}

/** The archive files of a request and its gaps, as of `nowMs`; a request that cannot be served is a UserError. */
export function planHistory(request: HistoryRequest, nowMs: number): ArchivePlan {
  const problem = historyRequestProblem(request.exchange, request.datasets);
  if (problem) throw new UserError(problem);
  if (request.from > request.to) throw new UserError(`--from ${request.from} is after --to ${request.to}`);
  const market = HISTORY_MARKETS[request.exchange];
  const symbols = request.symbols.map((symbol) => symbol.toUpperCase());
  return planArchive({ market, symbols, datasets: request.datasets, from: request.from, to: request.to }, dayOf(nowMs));
}

/** One file of a request, fetched, verified and imported (or skipped) with its ledger row; see importArchiveFile. */
export interface HistoryFileJob extends Omit<ArchiveFileJob, 'mappers' | 'previous' | 'baseUrl' | 'exchange'> {
  readonly exchange: HistoryExchange;
  /** @default ARCHIVE_BASE_URL */
  readonly baseUrl?: string;
}

export async function importHistoryFile(job: HistoryFileJob): Promise<FileOutcome> {
  return importArchiveFile({
    ...job,
    mappers: archiveRowMappers(HISTORY_MARKETS[job.exchange], job.file.dataset),
    baseUrl: job.baseUrl ?? ARCHIVE_BASE_URL,
    previous: await readLedgerRecord(job.store, job.exchange, job.file),
  });
}

/**
 * One planned file as the history-load state machine imports it (one Lambda per file): the file, or, when it is a
 * monthly file the archive does not have yet, its daily files one after another (the CLI queues those instead;
 * docs/history.md, "Periods and publication"). The outcomes, the monthly file's `missing` first.
 */
export async function importHistoryFileOrDays(job: HistoryFileJob): Promise<FileOutcome[]> {
  const outcome = await importHistoryFile(job);
  const fallback = outcome.status === 'missing' && job.file.period === 'monthly' ? dailyFilesOf(job.file) : [];
  const outcomes = [outcome];
  for (const file of fallback) outcomes.push(await importHistoryFile({ ...job, file }));
  return outcomes;
}

export async function runHistory(options: HistoryOptions): Promise<HistorySummary> {
  const now = options.now ?? Date.now;
  const started = now();
  const plan = planHistory(options, started);
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
    const outcome = await importHistoryFile({
      store: options.store,
      exchange: options.exchange,
      file,
      signal: options.signal,
      baseUrl: options.baseUrl,
      tmpDir: options.tmpDir,
      download,
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

/**
 * One item of the history-load state machine's Distributed Map (docs/history.md, "On AWS"): small, so a request of
 * tens of thousands of files stays a modest item list. `path` is the archive file's URL path; the rest is for
 * people reading the map run's results.
 */
export interface HistoryFileItem {
  readonly exchange: HistoryExchange;
  readonly path: string;
  readonly dataset: string;
  readonly symbol: string;
  readonly firstDay: string;
  readonly lastDay: string;
  /** @default ARCHIVE_BASE_URL */
  readonly baseUrl?: string;
}

export function historyFileItem(exchange: HistoryExchange, file: ArchiveFile, baseUrl?: string): HistoryFileItem {
  const item = {
    exchange,
    path: file.urlPath,
    dataset: file.interval ? `klines:${file.interval}` : file.dataset,
    symbol: file.symbol,
  };
  return { ...item, firstDay: file.firstDay, lastDay: file.lastDay, ...(baseUrl === undefined ? {} : { baseUrl }) };
}

/** The archive file an item names; an item that names none, or a file of another market, is a UserError. */
export function historyItemFile(item: Pick<HistoryFileItem, 'exchange' | 'path'>): ArchiveFile {
  const parsed = parseArchivePath(item.path);
  if (!parsed || parsed.checksum) throw new UserError(`${JSON.stringify(item.path)} is not an archive file path`);
  if (parsed.file.market !== HISTORY_MARKETS[item.exchange]) {
    throw new UserError(`${item.path} is not a file of the ${HISTORY_MARKETS[item.exchange]} archive (${item.exchange})`);
  }
  return parsed.file;
}

/** Where a history-load execution's item list lives in the lake (under `jobs/`, which expires). */
export function historyItemsKey(execution: string): string {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(execution)) {
    throw new UserError(`execution name ${JSON.stringify(execution)} is not a Step Functions execution name`);
  }
  return `jobs/history/${execution}/files.json`;
}
