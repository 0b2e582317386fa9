import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { addDays, archiveMarket, archiveUrl, type ArchiveFile } from '../exchanges/binance/archive-layout';
import { baseQuote } from '../exchanges/symbols';
import { putTable } from '../parquet/write';
import type { ExchangeId } from '../schema/columns';
import { findDataset } from '../schema/registry';
import type { DatasetSpec, PartitionValues, Row } from '../schema/types';
import { checkExchangeTime, validateRow } from '../schema/validate';
import { bronzeFileId, bronzeFileKey, dateOf, dayStart, partitionPrefix } from '../storage/lake-paths';
import { listAll, type ObjectStore } from '../storage/object-store';
import { TableBuilder, type Table } from '../table/table';
import { MAX_LINE_CHARS } from './archive-source';
import { downloadToFile, fetchText, type DownloadOptions } from './archive-download';
import { isArchiveReject, type ArchiveLineContext, type ArchiveRowMapper } from './archive-row-mapper';
import { REFUSE_REJECTED_SHARE } from './import-check-pass';
import { archivePathId, writeLedgerEntry, type LedgerRecord, type LedgerStatus } from './import-ledger';
import { dataRecords, quarantineRow, reasonKind } from './import-lines';

/**
 * One archive file of `lakehouse history` (docs/history.md, "lakehouse history"): compare its `.CHECKSUM` with the
 * ledger (an imported file with the same sha256 is skipped after that one small request), download the ZIP to a
 * temp file, verify it, stream ZIP → CSV → rows → Bronze, quarantine rejected lines, then record the file in the
 * ledger. Bronze gets one file per UTC day of the archive file (the partition scheme files Bronze by dt/hour; the
 * day's file sits in hour=00), under a key derived from market, dataset, interval, symbol and day, never from the
 * file's checksum or period: a republished file, or the daily files standing in for a monthly one, rewrite the
 * same objects instead of adding copies. Memory holds one day of one file's rows, never the whole file.
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

export interface ArchiveFileJob {
  readonly store: ObjectStore;
  readonly exchange: ExchangeId;
  readonly file: ArchiveFile;
  readonly mapper: ArchiveRowMapper;
  readonly baseUrl: string;
  /** Folder for the downloaded ZIP while it is read (under the lake: `<lake>/_history/tmp`). */
  readonly tmpDir: string;
  readonly download: DownloadOptions;
  /** The ledger's row for the file from an earlier run. */
  readonly previous: LedgerRecord | undefined;
  readonly now: () => number;
  /** Called once the file's Bronze objects are written, just before its ledger row (tests interrupt a run here). */
  readonly beforeCommit?: (file: ArchiveFile) => void | Promise<void>;
  readonly onBytes?: (bytes: number) => void;
  readonly onRows?: (rows: number) => void;
}

/** Rejected lines held for the file's quarantine object; further ones are counted, not kept. */
export const MAX_QUARANTINE_ROWS = 100_000;
const PROGRESS_EVERY_ROWS = 50_000;

class FileFailure extends Error {}

export async function importArchiveFile(job: ArchiveFileJob): Promise<FileOutcome> {
  const { file } = job;
  const url = archiveUrl(job.baseUrl, file.urlPath);
  const tmp = path.join(job.tmpDir, `${archivePathId(file.urlPath)}-${file.fileName}`);
  let bytes = 0;
  const counted = (more: number) => {
    bytes += more;
    job.onBytes?.(more);
  };
  const record = async (status: LedgerStatus, reason: string | null, sha256: string | null, read?: ReadResult) => {
    await writeLedgerEntry(job.store, {
      file,
      exchange: job.exchange,
      sourceUrl: url,
      sha256,
      bytes,
      rows: read?.rows ?? 0,
      rejected: read?.rejected ?? 0,
      firstTime: read?.firstTime ?? null,
      lastTime: read?.lastTime ?? null,
      status,
      reason,
      importedAt: job.now(),
    });
    return {
      file,
      status,
      reason,
      bytes,
      rows: read?.rows ?? 0,
      rejected: read?.rejected ?? 0,
      bronzeFiles: read?.keys.size ?? 0,
    };
  };
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
    const read = await readIntoBronze(job, tmp, written);
    const refused = refusal(read);
    if (refused) {
      // Nothing of a refused file stays in Bronze: its days are imported again, whole, once a good copy is there.
      await removeAll(job.store, written);
      return await record('failed', refused, expected, { ...read, rows: 0, keys: new Set() });
    }
    await writeQuarantine(job, read);
    job.download.signal?.throwIfAborted();
    await job.beforeCommit?.(file);
    return await record('imported', null, expected, read);
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

/** The sha256 the file's `.CHECKSUM` names, or undefined when the archive has no such file. */
async function expectedSha256(job: ArchiveFileJob, counted: (bytes: number) => void): Promise<string | undefined> {
  const answer = await fetchText(archiveUrl(job.baseUrl, job.file.checksumPath), job.download);
  if (!answer.found) return undefined;
  counted(Buffer.byteLength(answer.value));
  const sha256 = answer.value.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new FileFailure(`${job.file.checksumPath} holds no sha256`);
  return sha256;
}

interface ReadResult {
  records: number;
  rows: number;
  rejected: number;
  byReason: Map<string, { count: number; line: number }>;
  firstTime: number | null;
  lastTime: number | null;
  /** Bronze objects written for the file. */
  keys: Set<string>;
  quarantine: Row[];
}

/** Why the whole file is refused (as `lakehouse import` refuses one, docs/import.md), or undefined. */
function refusal(read: ReadResult): string | undefined {
  if (read.rejected === 0 || read.rejected <= REFUSE_REJECTED_SHARE * read.records) return undefined;
  const kinds = [...read.byReason]
    .sort((left, right) => right[1].count - left[1].count)
    .slice(0, 3)
    .map(([kind, seen]) => `${seen.count} × ${kind}, first at line ${seen.line}`)
    .join('; ');
  return `${read.rejected} of ${read.records} rows fail the checks (${kinds}): likely the wrong dataset or format`;
}

/** The Bronze object of one day of one archive dataset; `part` > 0 only for a file that returns to a day it left. */
export function archiveDayKey(spec: DatasetSpec, exchange: ExchangeId, file: ArchiveFile, day: string, part: number): string {
  const id = archiveDayId(file, day);
  return bronzeFileKey(spec, dayValues(spec, exchange, file, day), dayStart(day), part === 0 ? id : `${id}-${part}`);
}

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

/** Streams the file's lines into one Bronze object per day, counting and keeping rejected lines. */
async function readIntoBronze(job: ArchiveFileJob, zip: string, written: Set<string>): Promise<ReadResult> {
  const { file, mapper, exchange } = job;
  const spec = mapper.bronze;
  const timeColumn = spec.timeColumn;
  const ingestMs = job.now();
  const context: ArchiveLineContext = { file, exchange, symbol: file.symbol, ingestMs };
  const quarantineSpec = findDataset('quarantine', spec.name);
  const { base, quote } = baseQuote(file.symbol);
  const header = archiveMarket(file.market).header;
  const result: ReadResult = {
    records: 0,
    rows: 0,
    rejected: 0,
    byReason: new Map(),
    firstTime: null,
    lastTime: null,
    keys: written,
    quarantine: [],
  };
  const open = new Map<string, TableBuilder>();
  const parts = new Map<string, number>();
  let latestDay = '';

  const flush = async (day: string) => {
    const builder = open.get(day);
    open.delete(day);
    if (!builder) return;
    const part = parts.get(day) ?? 0;
    parts.set(day, part + 1);
    const key = archiveDayKey(spec, exchange, file, day, part);
    await putTable(job.store, key, sortedBy(builder.build(), timeColumn));
    result.keys.add(key);
  };
  const reject = (reason: string, line: number, text: string, row?: Row) => {
    result.rejected++;
    const kind = reasonKind(reason);
    const seen = result.byReason.get(kind);
    if (seen) seen.count++;
    else result.byReason.set(kind, { count: 1, line });
    if (!quarantineSpec || result.quarantine.length >= MAX_QUARANTINE_ROWS) return;
    const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
    const fill = { base, quote, source: 'archive', ingest_time: ingestMs, quarantined_at: ingestMs };
    const why = `${reason} (${file.fileName} line ${line}: ${shown})`;
    result.quarantine.push(quarantineRow(quarantineSpec, row, { ...fill, quarantine_reason: why }));
  };

  let first = true;
  for await (const record of dataRecords(zip)) {
    // A header is detected, not assumed: some older USD-M files are reported without one (docs/history.md).
    if (first && header && !/^-?\d/.test(record.fields[0] ?? '')) {
      first = false;
      continue;
    }
    first = false;
    result.records++;
    if (record.overlong) {
      reject(`line longer than ${MAX_LINE_CHARS} characters`, record.line, record.text);
      continue;
    }
    const mapped = mapper.map(record.fields, context);
    if (isArchiveReject(mapped)) {
      reject(mapped.reject, record.line, record.text);
      continue;
    }
    const time = mapped[timeColumn];
    if (typeof time !== 'number') {
      reject(`${timeColumn} is not a time`, record.line, record.text, mapped);
      continue;
    }
    const problem =
      checkExchangeTime(exchange, timeColumn, time, ingestMs) ?? validateRow(spec, mapped) ?? outsideFile(file, time);
    if (problem !== null) {
      reject(problem, record.line, record.text, mapped);
      continue;
    }
    const day = dateOf(time);
    let builder = open.get(day);
    if (!builder) open.set(day, (builder = new TableBuilder(spec, 4096)));
    builder.push(mapped);
    result.rows++;
    if (result.rows % PROGRESS_EVERY_ROWS === 0) job.onRows?.(PROGRESS_EVERY_ROWS);
    result.firstTime = result.firstTime === null ? time : Math.min(result.firstTime, time);
    result.lastTime = result.lastTime === null ? time : Math.max(result.lastTime, time);
    if (day > latestDay) {
      // Archive files are in time order: a row of a later day closes the days before it.
      for (const held of [...open.keys()]) if (held < day) await flush(held);
      latestDay = day;
    }
  }
  for (const held of [...open.keys()]) await flush(held);
  job.onRows?.(result.rows % PROGRESS_EVERY_ROWS);
  await removeStaleParts(job, spec, result.keys);
  return result;
}

async function removeAll(store: ObjectStore, keys: Set<string>): Promise<void> {
  for (const key of keys) await store.delete(key);
  keys.clear();
}

/** Why a row's time cannot be in this file (a monthly file's row of another month), or null. */
function outsideFile(file: ArchiveFile, time: number): string | null {
  const day = dateOf(time);
  if (day >= file.firstDay && day <= file.lastDay) return null;
  return `time outside the file's days (${file.firstDay}…${file.lastDay}): ${new Date(time).toISOString()}`;
}

function sortedBy(table: Table, column: string): Table {
  const times = table.num(column);
  let ordered = true;
  for (let index = 1; index < times.length && ordered; index++) ordered = times[index - 1] <= times[index];
  if (ordered) return table;
  const order = Array.from({ length: table.length }, (_, index) => index);
  order.sort((left, right) => times[left] - times[right] || left - right);
  return table.take(order);
}

/**
 * Objects of the file's days this import did not write: an earlier version of a republished file had a day (or a
 * part) this one lacks. Only this file's ids are touched; the collector's and other imports' files stay.
 */
async function removeStaleParts(job: ArchiveFileJob, spec: DatasetSpec, written: ReadonlySet<string>): Promise<void> {
  for (let day = job.file.firstDay; day <= job.file.lastDay; day = addDays(day, 1)) {
    const id = archiveDayId(job.file, day);
    const prefix = partitionPrefix(spec, dayValues(spec, job.exchange, job.file, day));
    for (const object of await listAll(job.store, prefix)) {
      if (object.key.includes(`-${id}`) && !written.has(object.key)) await job.store.delete(object.key);
    }
  }
}

/** The file's rejected lines as one quarantine object (docs/import.md's table), or none when nothing was rejected. */
async function writeQuarantine(job: ArchiveFileJob, read: ReadResult): Promise<void> {
  const spec = findDataset('quarantine', job.mapper.bronze.name);
  if (!spec) return;
  const day = { ...dayValues(spec, job.exchange, job.file, job.file.firstDay), hour: undefined };
  const key = `${partitionPrefix(spec, day)}history-${archivePathId(job.file.urlPath)}.parquet`;
  if (read.quarantine.length === 0) {
    await job.store.delete(key);
    return;
  }
  const builder = new TableBuilder(spec, read.quarantine.length);
  for (const row of read.quarantine) builder.push(row);
  await putTable(job.store, key, builder.build());
}
