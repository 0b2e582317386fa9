import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { addDays, archiveMarket, archiveUrl, type ArchiveFile } from '../exchanges/binance/archive-layout';
import { baseQuote } from '../exchanges/symbols';
import { putTable } from '../parquet/write';
import type { ExchangeId } from '../schema/columns';
import { findDataset } from '../schema/registry';
import type { DatasetSpec, PartitionValues, Row } from '../schema/types';
import { bronzeFileId, bronzeFileKey, dateOf, dayStart, partitionPrefix } from '../storage/lake-paths';
import { listAll, type ObjectStore } from '../storage/object-store';
import { TableBuilder } from '../table/table';
import { DAY_MS } from '../util/time';
import { archiveChunks, MAX_LINE_CHARS, type SourceLine } from './archive-source';
import { ColumnLane } from './column-lane';
import { DayRows } from './day-rows';
import { downloadToFile, fetchText, type DownloadOptions } from './archive-download';
import { isArchiveReject, type ArchiveLineContext, type ArchiveRowMapper } from './archive-row-mapper';
import { REFUSE_REJECTED_SHARE } from './import-check-pass';
import { archivePathId, writeLedgerEntry, type LedgerRecord, type LedgerStatus } from './import-ledger';
import { dataRecord, quarantineRow, reasonKind } from './import-lines';

/**
 * One archive file of `lakehouse history` (docs/history.md, "lakehouse history"): compare its `.CHECKSUM` with the
 * ledger (an imported file with the same sha256 is skipped after that one small request), download the ZIP to a
 * temp file, verify it, stream ZIP → CSV → rows → Bronze, quarantine rejected lines, then record the file in the
 * ledger. Bronze gets one file per UTC day of the archive file (the partition scheme files Bronze by dt/hour; the
 * day's file sits in hour=00), under a key derived from market, dataset, interval, symbol and day, never from the
 * file's checksum or period: a republished file, or the daily files standing in for a monthly one, rewrite the
 * same objects instead of adding copies. Memory holds one row group of a day's rows while the day is in time order
 * (lib/history/day-rows.ts), the whole day only when it is not.
 */

export type FileStatus = LedgerStatus | 'skipped';

export interface FileOutcome {
  readonly file: ArchiveFile;
  readonly status: FileStatus;
  readonly reason: string | null;
  /** Bytes downloaded for this file (ZIP and .CHECKSUM). */
  readonly bytes: number;
  readonly rows: number;
  readonly rejected: number;
  readonly bronzeFiles: number;
}

/** What importing one archive file needs, wherever the file came from. */
export interface ArchiveFileTarget {
  readonly store: ObjectStore;
  readonly exchange: ExchangeId;
  readonly file: ArchiveFile;
  /** The file's mappers (lib/history/archive-rows/index.ts): one per Bronze dataset its lines feed. */
  readonly mappers: readonly ArchiveRowMapper[];
  readonly now: () => number;
  readonly signal?: AbortSignal;
  /** Called once the file's Bronze objects are written, just before its ledger row (tests interrupt a run here). */
  readonly beforeCommit?: (file: ArchiveFile) => void | Promise<void>;
  readonly onRows?: (rows: number) => void;
}

export interface ArchiveFileJob extends ArchiveFileTarget {
  readonly baseUrl: string;
  /** Folder for the downloaded ZIP while it is read (under the lake: `<lake>/_history/tmp`). */
  readonly tmpDir: string;
  readonly download: DownloadOptions;
  /** The ledger's row for the file from an earlier run. */
  readonly previous: LedgerRecord | undefined;
  readonly onBytes?: (bytes: number) => void;
}

/** Rejected lines held for the file's quarantine object; further ones are counted, not kept. */
export const MAX_QUARANTINE_ROWS = 100_000;
const PROGRESS_EVERY_ROWS = 50_000;

class FileFailure extends Error {}

type Recorder = (status: LedgerStatus, reason: string | null, sha256: string | null, read?: ReadResult) => Promise<FileOutcome>;

function recorder(target: ArchiveFileTarget, sourceUrl: string, bytes: () => number): Recorder {
  return async (status, reason, sha256, read) => {
    await writeLedgerEntry(target.store, {
      file: target.file,
      exchange: target.exchange,
      sourceUrl,
      sha256,
      bytes: bytes(),
      rows: read?.rows ?? 0,
      rejected: read?.rejected ?? 0,
      firstTime: read?.firstTime ?? null,
      lastTime: read?.lastTime ?? null,
      status,
      reason,
      importedAt: target.now(),
    });
    return {
      file: target.file,
      status,
      reason,
      bytes: bytes(),
      rows: read?.rows ?? 0,
      rejected: read?.rejected ?? 0,
      bronzeFiles: read?.keys.size ?? 0,
    };
  };
}

export async function importArchiveFile(job: ArchiveFileJob): Promise<FileOutcome> {
  const { file } = job;
  const url = archiveUrl(job.baseUrl, file.urlPath);
  const tmp = path.join(job.tmpDir, `${archivePathId(file.urlPath)}-${file.fileName}`);
  let bytes = 0;
  const counted = (more: number) => {
    bytes += more;
    job.onBytes?.(more);
  };
  const record = recorder(job, url, () => bytes);
  // Bronze objects this attempt wrote: removed again when the file fails after writing some of its days.
  const written = new Set<string>();
  const missing = () => record('missing', 'not in the archive (404): not listed yet that day, or the archive lacks it', null);

  try {
    let expected = await expectedSha256(job, counted);
    if (expected === undefined) return await missing();
    if (job.previous?.status === 'imported' && job.previous.sha256 === expected) {
      return { file, status: 'skipped', reason: null, bytes, rows: 0, rejected: 0, bronzeFiles: 0 };
    }
    await fs.mkdir(job.tmpDir, { recursive: true });
    let got = await downloadToFile(url, tmp, job.download);
    if (!got.found) return await missing();
    counted(got.value.bytes);
    if (got.value.sha256 !== expected) {
      // Once more, the checksum too: either side may be what was damaged on the way (docs/history.md).
      expected = await expectedSha256(job, counted);
      if (expected === undefined) return await missing();
      got = await downloadToFile(url, tmp, job.download);
      if (!got.found) return await missing();
      counted(got.value.bytes);
      if (got.value.sha256 !== expected) {
        const [named, actual] = [expected.slice(0, 16), got.value.sha256.slice(0, 16)];
        const reason = `checksum mismatch twice (the .CHECKSUM says ${named}…, the ZIP is ${actual}…)`;
        return await record('failed', reason, expected);
      }
    }
    return await importVerified(job, tmp, expected, record, written);
  } catch (error) {
    if (job.download.signal?.aborted || !(error instanceof Error) || error.name === 'AbortError') throw error;
    if (error instanceof FileFailure || error.name === 'DownloadError' || error.name === 'ArchiveError') {
      await removeAll(job.store, written);
      return await record('failed', error.message, null);
    }
    throw error;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/**
 * One archive file already on disk (`lakehouse import --file`, docs/import.md): the same rows, keys, quarantine,
 * refusal and ledger row as `history` gives the file it downloads, its source URL the local file's. `sha256` is the
 * local file's (a ZIP's equals the archive's `.CHECKSUM`, so `history` then skips the file; a bare CSV's does not,
 * and `history` would import it again under the same keys). A file that cannot be read to its end is `failed`.
 */
export async function importLocalArchiveFile(target: ArchiveFileTarget, local: string, sha256: string): Promise<FileOutcome> {
  const stat = await fs.stat(local);
  const record = recorder(target, pathToFileURL(path.resolve(local)).href, () => stat.size);
  const written = new Set<string>();
  try {
    return await importVerified(target, local, sha256, record, written);
  } catch (error) {
    if (target.signal?.aborted || !(error instanceof Error) || error.name !== 'ArchiveError') throw error;
    await removeAll(target.store, written);
    return await record('failed', error.message, sha256);
  }
}

/** Rows, refusal, quarantine and the ledger row of a file whose checksum is settled. */
async function importVerified(
  target: ArchiveFileTarget,
  local: string,
  sha256: string,
  record: Recorder,
  written: Set<string>,
): Promise<FileOutcome> {
  const read = await readIntoBronze(target, local, written);
  const refused = refusal(read);
  if (refused) {
    // Nothing of a refused file stays in Bronze: its days are imported again, whole, once a good copy is there.
    await removeAll(target.store, written);
    return await record('failed', refused, sha256, { ...read, rows: 0, keys: new Set() });
  }
  for (const sink of read.sinks) await writeQuarantine(target, sink);
  target.signal?.throwIfAborted();
  await target.beforeCommit?.(target.file);
  return await record('imported', null, sha256, read);
}

/** The sha256 the file's `.CHECKSUM` names, or undefined when the archive has no such file. */
async function expectedSha256(job: ArchiveFileJob, counted: (bytes: number) => void): Promise<string | undefined> {
  const answer = await fetchText(archiveUrl(job.baseUrl, job.file.checksumPath), job.download);
  if (!answer.found) return undefined;
  counted(Buffer.byteLength(answer.value));
  const sha256 = answer.value.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new FileFailure(`${job.file.checksumPath} holds no sha256`);
  return sha256;
}

/** One Bronze dataset a file feeds: its mapper, the days being built, the objects written, the lines it rejected. */
interface DatasetSink {
  readonly mapper: ArchiveRowMapper;
  readonly spec: DatasetSpec;
  readonly quarantineSpec: DatasetSpec | undefined;
  readonly open: Map<string, DayRows>;
  readonly parts: Map<string, number>;
  /** This dataset's Bronze objects written for the file. */
  readonly keys: Set<string>;
  readonly quarantine: Row[];
  latestDay: string;
  /** The UTC day of the last row and its bounds [from, to), so that most rows need no dateOf. */
  day: string;
  dayFrom: number;
  dayTo: number;
}

interface ReadResult {
  /** Data lines read (the header not counted). */
  records: number;
  /** Lines times datasets: each line is checked once per dataset it feeds, the refusal's denominator. */
  checks: number;
  /** Bronze rows written, all datasets. */
  rows: number;
  /** Rejects, all datasets (a metrics line both datasets refuse counts twice: it is quarantined in both). */
  rejected: number;
  byReason: Map<string, { count: number; line: number }>;
  firstTime: number | null;
  lastTime: number | null;
  /** Bronze objects written for the file, all datasets. */
  keys: Set<string>;
  sinks: DatasetSink[];
}

/** Why the whole file is refused (as `lakehouse import` refuses one, docs/import.md), or undefined. */
function refusal(read: ReadResult): string | undefined {
  if (read.rejected === 0 || read.rejected <= REFUSE_REJECTED_SHARE * read.checks) return undefined;
  const kinds = [...read.byReason]
    .sort((left, right) => right[1].count - left[1].count)
    .slice(0, 3)
    .map(([kind, seen]) => `${seen.count} × ${kind}, first at line ${seen.line}`)
    .join('; ');
  return `${read.rejected} of ${read.checks} rows fail the checks (${kinds}): likely the wrong dataset or format`;
}

/** The Bronze object of one day of one archive dataset; `part` > 0 only for a file that returns to a day it left. */
export function archiveDayKey(spec: DatasetSpec, exchange: ExchangeId, file: ArchiveFile, day: string, part: number): string {
  const id = archiveDayId(file, day);
  return bronzeFileKey(spec, dayValues(spec, exchange, file, day), dayStart(day), part === 0 ? id : `${id}-${part}`);
}

/*
 * The id names the archive file's day, not the Bronze dataset: a metrics day's open_interest and long_short_ratios
 * objects share it and differ by their dataset's prefix (docs/history.md, "Bronze granularity").
 */
const archiveDayId = (file: ArchiveFile, day: string): string =>
  bronzeFileId(
    'archive',
    createHash('sha256')
      .update(`${file.market}/${file.dataset}/${file.interval ?? ''}/${file.symbol}/${day}`)
      .digest('hex'),
  );

function dayValues(spec: DatasetSpec, exchange: ExchangeId, file: ArchiveFile, day: string): PartitionValues {
  const timeframe = spec.partitionKeys.some((key) => key.name === 'timeframe') ? { timeframe: file.interval } : {};
  return { ...timeframe, exchange, symbol: file.symbol, dt: day, hour: 0 };
}

/**
 * Streams the file's lines once, handing each to every mapper of the file, into one Bronze object per day and
 * dataset, counting and keeping rejected lines per dataset. The mappers check each row (checkedArchiveRow in
 * lib/history/archive-rows/archive-fields.ts), so nothing is checked again here.
 */
async function readIntoBronze(target: ArchiveFileTarget, local: string, written: Set<string>): Promise<ReadResult> {
  const { file, exchange } = target;
  const ingestMs = target.now();
  const context: ArchiveLineContext = { file, exchange, symbol: file.symbol, ingestMs };
  const { base, quote } = baseQuote(file.symbol);
  const header = archiveMarket(file.market).header;
  const sinks: DatasetSink[] = target.mappers.map((mapper) => ({
    mapper,
    spec: mapper.bronze,
    quarantineSpec: findDataset('quarantine', mapper.bronze.name),
    open: new Map(),
    parts: new Map(),
    keys: new Set(),
    quarantine: [],
    latestDay: '',
    day: '',
    dayFrom: Number.NaN,
    dayTo: Number.NaN,
  }));
  const result: ReadResult = {
    records: 0,
    checks: 0,
    rows: 0,
    rejected: 0,
    byReason: new Map(),
    firstTime: null,
    lastTime: null,
    keys: written,
    sinks,
  };

  const flush = async (sink: DatasetSink, day: string) => {
    const rows = sink.open.get(day);
    sink.open.delete(day);
    if (!rows) return;
    const part = sink.parts.get(day) ?? 0;
    sink.parts.set(day, part + 1);
    const key = archiveDayKey(sink.spec, exchange, file, day, part);
    await rows.put(target.store, key);
    sink.keys.add(key);
    result.keys.add(key);
  };
  const closeBefore = async (sink: DatasetSink, day: string, pending: Promise<void> | undefined) => {
    await pending;
    // Archive files are in time order: a row of a later day closes the days before it.
    for (const held of [...sink.open.keys()]) if (held < day) await flush(sink, held);
    sink.latestDay = day;
  };
  // Synchronous unless a row group or a day is written, so that most rows cost no await.
  const accept = (sink: DatasetSink, row: Row): Promise<void> | undefined => {
    const time = row[sink.spec.timeColumn] as number;
    if (!(time >= sink.dayFrom && time < sink.dayTo)) {
      sink.day = dateOf(time);
      sink.dayFrom = Math.floor(time / DAY_MS) * DAY_MS;
      sink.dayTo = sink.dayFrom + DAY_MS;
    }
    const day = sink.day;
    let rows = sink.open.get(day);
    if (!rows) sink.open.set(day, (rows = new DayRows(sink.spec)));
    const pending = rows.push(row);
    result.rows++;
    if (result.rows % PROGRESS_EVERY_ROWS === 0) target.onRows?.(PROGRESS_EVERY_ROWS);
    result.firstTime = result.firstTime === null ? time : Math.min(result.firstTime, time);
    result.lastTime = result.lastTime === null ? time : Math.max(result.lastTime, time);
    return day > sink.latestDay ? closeBefore(sink, day, pending) : pending;
  };

  const reject = (sink: DatasetSink, reason: string, line: number, text: string, row?: Row) => {
    result.rejected++;
    const kind = reasonKind(reason);
    const seen = result.byReason.get(kind);
    if (seen) seen.count++;
    else result.byReason.set(kind, { count: 1, line });
    if (!sink.quarantineSpec || sink.quarantine.length >= MAX_QUARANTINE_ROWS) return;
    const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
    const fill = { base, quote, source: 'archive', ingest_time: ingestMs, quarantined_at: ingestMs };
    const why = `${reason} (${file.fileName} line ${line}: ${shown})`;
    sink.quarantine.push(quarantineRow(sink.quarantineSpec, row, { ...fill, quarantine_reason: why }));
  };

  // One dataset with a line parser (trades…) reads most lines in place, into typed columns (lib/history/column-lane.ts).
  const fast = sinks.length === 1 ? sinks[0] : undefined;
  let lane: ColumnLane | undefined;
  const onBatch = (rows: number, minTime: number, maxTime: number) => {
    const before = Math.floor(result.rows / PROGRESS_EVERY_ROWS);
    result.rows += rows;
    result.records += rows;
    result.checks += rows;
    for (let step = before; step < Math.floor(result.rows / PROGRESS_EVERY_ROWS); step++) target.onRows?.(PROGRESS_EVERY_ROWS);
    result.firstTime = result.firstTime === null ? minTime : Math.min(result.firstTime, minTime);
    result.lastTime = result.lastTime === null ? maxTime : Math.max(result.lastTime, maxTime);
  };
  let first = true;
  /** The row-by-row path: every line the lane does not take, with the reasons for rejects. */
  const readLine = async (source: SourceLine) => {
    const record = dataRecord(source);
    if (!record) return;
    // A header is detected, not assumed: some older USD-M files are reported without one (docs/history.md).
    if (first && header && !/^-?\d/.test(record.fields[0] ?? '')) {
      first = false;
      return;
    }
    first = false;
    result.records++;
    for (const sink of sinks) {
      result.checks++;
      if (record.overlong) {
        reject(sink, `line longer than ${MAX_LINE_CHARS} characters`, record.line, record.text);
        continue;
      }
      const mapped = sink.mapper.map(record.fields, context);
      if (isArchiveReject(mapped)) {
        reject(sink, mapped.reject, record.line, record.text, mapped.row);
        continue;
      }
      // The lane is made from the first row map() accepts: the columns its parser does not read keep that row's values.
      if (!lane && sink === fast && sink.mapper.lineParser) {
        lane = new ColumnLane(sink.spec, sink.mapper.lineParser(context, mapped), mapped, onBatch);
      }
      // checkedArchiveRow refuses a row without a numeric time, so this holds for every mapper's row.
      const pending = accept(sink, mapped);
      if (pending) await pending;
    }
  };
  try {
    for await (const chunk of archiveChunks(local)) {
      const { text } = chunk;
      let line = chunk.firstLine;
      let start = 0;
      while (start < text.length) {
        if (lane && fast) {
          if (!lane.isOpen) {
            const rows = fast.open.get(fast.day);
            if (rows) lane.open(rows, fast.dayFrom, fast.dayTo);
          }
          if (lane.isOpen) {
            const taken = lane.linesTaken;
            const read = lane.read(text, start);
            start = typeof read === 'number' ? read : await read;
            line += lane.linesTaken - taken;
            if (start >= text.length) break;
            // The line the lane left goes the row-by-row way, after the lane's rows.
            const pending = lane.close();
            if (pending) await pending;
          }
        }
        const nl = text.indexOf('\n', start);
        const raw = text.slice(start, nl);
        await readLine({ line, text: raw.endsWith('\r') ? raw.slice(0, -1) : raw, terminated: true, overlong: false });
        line++;
        start = nl + 1;
      }
      if (chunk.tail) {
        const pending = lane?.close();
        if (pending) await pending;
        await readLine(chunk.tail);
      }
    }
    const pending = lane?.close();
    if (pending) await pending;
    for (const sink of sinks) {
      for (const held of [...sink.open.keys()]) await flush(sink, held);
      await removeStaleParts(target, sink.spec, sink.keys);
    }
  } finally {
    // A file that fails part way leaves no temporary Parquet behind (its written objects are the caller's to remove).
    for (const sink of sinks) for (const rows of sink.open.values()) await rows.discard();
  }
  target.onRows?.(result.rows % PROGRESS_EVERY_ROWS);
  return result;
}

async function removeAll(store: ObjectStore, keys: Set<string>): Promise<void> {
  for (const key of keys) await store.delete(key);
  keys.clear();
}

/**
 * Objects of the file's days this import did not write: an earlier version of a republished file had a day (or a
 * part) this one lacks. Only this file's ids in this dataset are touched; the collector's and other imports' stay.
 */
async function removeStaleParts(target: ArchiveFileTarget, spec: DatasetSpec, written: ReadonlySet<string>): Promise<void> {
  for (let day = target.file.firstDay; day <= target.file.lastDay; day = addDays(day, 1)) {
    const id = archiveDayId(target.file, day);
    const prefix = partitionPrefix(spec, dayValues(spec, target.exchange, target.file, day));
    for (const object of await listAll(target.store, prefix)) {
      if (object.key.includes(`-${id}`) && !written.has(object.key)) await target.store.delete(object.key);
    }
  }
}

/**
 * One dataset's rejected lines of the file as one quarantine object (docs/import.md's table), or none (an older
 * one removed) when nothing was rejected. The key names the dataset and the archive file, so each of a metrics
 * file's two datasets has its own, and a republished file replaces them.
 */
async function writeQuarantine(target: ArchiveFileTarget, sink: DatasetSink): Promise<void> {
  const spec = sink.quarantineSpec;
  if (!spec) return;
  const day = { ...dayValues(spec, target.exchange, target.file, target.file.firstDay), hour: undefined };
  const key = `${partitionPrefix(spec, day)}history-${archivePathId(target.file.urlPath)}.parquet`;
  if (sink.quarantine.length === 0) {
    await target.store.delete(key);
    return;
  }
  const builder = new TableBuilder(spec, sink.quarantine.length);
  for (const row of sink.quarantine) builder.push(row);
  await putTable(target.store, key, builder.build());
}
