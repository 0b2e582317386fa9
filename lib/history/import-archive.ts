import path from 'node:path';
import { BronzeBuffers, type BufferedPartition } from '../bronze/bronze-buffers';
import { baseQuote } from '../exchanges/symbols';
import { putTable } from '../parquet/write';
import { KLINE_TIMEFRAMES, timeframeMs, type ExchangeId } from '../schema/columns';
import { dataset } from '../schema/registry';
import type { DatasetSpec, Row } from '../schema/types';
import { checkExchangeTime, checkValue, isoOrNumber, validateRow } from '../schema/validate';
import { bronzeFileId, bronzeFileKey, dateOf, hourOf, partitionPrefix } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import { TableBuilder, type Table } from '../table/table';
import {
  ArchiveError, archiveLines, checkArchiveFile, MAX_LINE_CHARS, splitFields, verifyChecksum, type SourceLine,
} from './archive-source';
import { klineArchiveRow, parseArchiveName, type TimeUnit } from './binance-klines-archive';
import { ohlcvRow, parseDownloadName, type KlineLayout } from './kline-file-layouts';
import { IntervalEvidence, PROFILE_SAMPLE, profileKlineFile, truncatedField, type KlineFileProfile } from './kline-file-profile';

/**
 * `lakehouse import`: an exchange archive file into Bronze (docs/import.md). Two streamed passes over the file:
 * the first reads and checks every line and writes nothing, so a file that cannot be read to its end, whose
 * interval contradicts its data, or whose rows mostly fail is refused whole; the second writes one Bronze file per
 * hour partition, sorted by time, and the rejected lines to quarantine with their reasons.
 *
 * Bronze stays append-only: file names derive from the archive's sha256 and the partition, and a name that
 * already exists is left alone, so importing the same file again writes nothing new (and a run cut short by a
 * store failure is completed by running it again).
 */

export interface ImportOptions {
  store: ObjectStore;
  file: string;
  dataset: string;
  exchange: ExchangeId;
  symbol?: string;
  interval?: string;
  now?: () => number;
  /** Bound on rows held for incomplete hour partitions (default MAX_BUFFERED_ROWS). */
  maxBufferedRows?: number;
  onProgress?(rows: number): void;
}

export interface ImportResult {
  file: string;
  sha256: string;
  checksumVerified: boolean;
  symbol: string;
  interval: string;
  unit: TimeUnit | null;
  /** The file's layout: a Binance archive, a 6-column OHLCV download, or Kraken's OHLCVT. */
  layout: KlineLayout | null;
  /** Data lines read (the header and empty lines not counted). */
  records: number;
  /** Rows imported: in Bronze now, whether this run wrote their file or an earlier import of the same file did. */
  rows: number;
  /** Lines rejected into quarantine; `rejectedByReason` counts them per rule. */
  rejected: number;
  rejectedByReason: Record<string, number>;
  /** Rows whose open time an earlier row of the file already had; both are kept (Silver keeps one). */
  duplicates: number;
  /** Bronze files this run wrote. */
  files: number;
  /** Bronze files an earlier import of the same file wrote, left as they are. */
  existing: number;
  bytes: number;
  firstTime: number | null;
  lastTime: number | null;
  quarantineKey: string | null;
}

const PROGRESS_EVERY = 100_000;
/** A file with more than this share of its lines rejected is refused whole: it is the wrong dataset or format. */
export const REFUSE_REJECTED_SHARE = 0.5;
/**
 * Rows held while waiting for their hour partition to be complete. An ordered file holds one hour at a time; a
 * shuffled one holds more, and past this bound every partition held is written as a part, so memory stays bounded
 * and a huge shuffled file still gets a few files per hour rather than one per row.
 */
export const MAX_BUFFERED_ROWS = 250_000;

interface DataRecord extends SourceLine {
  fields: string[];
}

/** A rejected line: the reason, and the row when the line could be read as one. */
interface Rejection { reason: string; row?: Row }
/** A line's outcome, with the open and close time when they are plausible (evidence of the interval). */
type Outcome = ({ row: Row } | Rejection) & { openTime?: number; closeTime?: number | null };

/** Non-empty lines and their fields; a UTF-8 byte-order mark (bytes read as Latin-1) is dropped. */
async function* dataRecords(file: string): AsyncGenerator<DataRecord> {
  for await (const archiveLine of archiveLines(file)) {
    const text = archiveLine.line === 1 && archiveLine.text.startsWith('\xEF\xBB\xBF') ? archiveLine.text.slice(3) : archiveLine.text;
    if (text.trim() === '') continue;
    yield { ...archiveLine, text, fields: splitFields(text) };
  }
}

/** The rule a reason names: its text before ': ', offending values (`=…`) left out. */
export function reasonKind(reason: string): string {
  return reason.split(': ')[0].replace(/=\S+/, '');
}

interface Context {
  profile: KlineFileProfile;
  exchange: ExchangeId;
  interval: string;
  stepMs: number;
  base: string;
  quote: string;
  ingest: number;
  spec: DatasetSpec;
}

/** Checks one line: layout, unit, the exchange's era, the registry's ranges, the interval. */
function readRecord(context: Context, record: DataRecord): Outcome {
  const profile = context.profile;
  if (record.overlong) return { reason: `line longer than ${MAX_LINE_CHARS} characters` };
  if (!record.terminated) {
    const cut = truncatedField(profile, record.fields);
    if (cut) return { reason: cut };
  }
  if (record.fields.length !== profile.columns) return { reason: `expected ${profile.columns} columns, got ${record.fields.length}` };
  const row = profile.layout === 'binance-archive'
    ? klineArchiveRow(record.fields, profile.unit, context.base, context.quote, context.ingest)
    : ohlcvRow(record.fields, profile.layout, context.stepMs, context.base, context.quote, context.ingest, profile.unit);
  if (typeof row === 'string') return { reason: row };
  const openTime = row.open_time as number;
  const era = checkExchangeTime(context.exchange, 'open_time', openTime, context.ingest);
  if (era) return { reason: era, row };
  const closeTime = profile.layout === 'binance-archive' ? (row.close_time as number) : null;
  const timed = { openTime, closeTime };
  const invalid = validateRow(context.spec, row);
  if (invalid) return { reason: invalid, row, ...timed };
  if (openTime % context.stepMs !== 0) return { reason: `open_time not on the ${context.interval} grid: ${isoOrNumber(openTime)}`, row, ...timed };
  if (closeTime !== null && closeTime - openTime + 1 !== context.stepMs) {
    return { reason: `close_time − open_time + 1 is not ${context.interval}: ${closeTime - openTime + 1} ms`, row, ...timed };
  }
  return { row, ...timed };
}

/** A quarantine row: the values that fit their column (a garbage line may have none), the reason and where it came from. */
function quarantineRow(spec: DatasetSpec, row: Row | undefined, fill: Row): Row {
  const out: Row = { ...fill };
  if (row) {
    for (const col of spec.columns) {
      const value = row[col.name];
      if (value === undefined || checkValue(col, value, { ranges: false })) continue;
      // Parquet timestamps past year 9999 (a µs time read as ms) would make the quarantine table unreadable.
      if (col.type === 'timestamp' && Math.abs(value as number) > 253_402_300_799_999) continue;
      if (col.type === 'int32' && Math.abs(value as number) > 2 ** 31 - 1) continue;
      if (col.type === 'int64' && !Number.isSafeInteger(value)) continue;
      out[col.name] = value;
    }
  }
  return out;
}

/** The datasets `import` reads; the others Binance publishes are refused with this list. */
export const IMPORT_DATASETS = ['klines'] as const;

export async function importArchive(options: ImportOptions): Promise<ImportResult> {
  if (!(IMPORT_DATASETS as readonly string[]).includes(options.dataset)) {
    throw new ArchiveError(`import of '${options.dataset}' archives is not supported yet (supported: ${IMPORT_DATASETS.join(', ')})`);
  }
  const name = path.basename(options.file);
  const named = { ...parseDownloadName(name), ...parseArchiveName(name) };
  const symbol = (options.symbol ?? named.symbol)?.toUpperCase();
  const interval = options.interval ?? named.interval;
  if (!symbol) throw new ArchiveError('--symbol is required (it cannot be read from the file name)');
  if (!interval || !(KLINE_TIMEFRAMES as readonly string[]).includes(interval)) {
    throw new ArchiveError(`--interval must be one of ${KLINE_TIMEFRAMES.join(', ')} (got ${interval ?? 'none'})`);
  }
  await checkArchiveFile(options.file);
  const { sha256, verified } = await verifyChecksum(options.file);
  const spec = dataset('bronze', 'klines');
  const qSpec = dataset('quarantine', 'klines');
  const { base, quote } = baseQuote(symbol);
  const ingest = (options.now ?? Date.now)();

  // Pass 1: read and check everything, write nothing.
  let ctx: Context | undefined;
  let headerLine = 0;
  const sample: DataRecord[] = [];
  const evidence = new IntervalEvidence();
  const byReason = new Map<string, { n: number; line: number }>();
  const expected = new Map<string, number>();
  let records = 0;
  let rejected = 0;
  let firstTime: number | null = null;
  let lastTime: number | null = null;
  const partitionOf = (t: number) => `${dateOf(t)}|${hourOf(t)}`;
  const check = (record: DataRecord) => {
    if (record.line === headerLine) return;
    records++;
    const out = readRecord(ctx!, record);
    if (out.openTime !== undefined) evidence.add(out.openTime, out.closeTime ?? null);
    if ('reason' in out) {
      rejected++;
      const kind = reasonKind(out.reason);
      const seen = byReason.get(kind);
      if (seen) seen.n++;
      else byReason.set(kind, { n: 1, line: record.line });
      return;
    }
    const openTime = out.row.open_time as number;
    const partition = partitionOf(openTime);
    expected.set(partition, (expected.get(partition) ?? 0) + 1);
    firstTime = firstTime === null ? openTime : Math.min(firstTime, openTime);
    lastTime = lastTime === null ? openTime : Math.max(lastTime, openTime);
  };
  const start = () => {
    const profile = profileKlineFile(name, sample);
    if (profile.header) headerLine = sample[0].line;
    ctx = { profile, exchange: options.exchange, interval, stepMs: timeframeMs(interval), base, quote, ingest, spec };
    for (const record of sample) check(record);
    sample.length = 0;
  };
  for await (const record of dataRecords(options.file)) {
    if (ctx) { check(record); continue; }
    sample.push(record);
    if (sample.length >= PROFILE_SAMPLE) start();
  }
  if (!ctx) start();
  const context = ctx!;

  const from = options.interval ? '--interval' : 'the file name';
  const contradiction = evidence.contradiction(interval);
  if (contradiction) throw new ArchiveError(`${name}: ${contradiction} (the interval ${interval} comes from ${from}); nothing imported`);
  const kinds = () => [...byReason].sort((a, b) => b[1].n - a[1].n).slice(0, 3)
    .map(([k, v]) => `${v.n} × ${k}, first at line ${v.line}`).join('; ');
  const wrong = 'likely the wrong dataset or format; nothing imported';
  if (rejected === records) throw new ArchiveError(`${name}: none of its ${records} rows can be imported (${kinds()}): ${wrong}`);
  if (rejected > REFUSE_REJECTED_SHARE * records) {
    throw new ArchiveError(`${name}: ${rejected} of ${records} rows fail the checks (${kinds()}): ${wrong}`);
  }

  // Pass 2: the same checks, now writing each hour partition once it is complete.
  const result: ImportResult = {
    file: options.file, sha256, checksumVerified: verified, symbol, interval, unit: context.profile.unit, layout: context.profile.layout,
    records, rows: 0, rejected: 0, rejectedByReason: {}, duplicates: 0, files: 0, existing: 0, bytes: 0,
    firstTime, lastTime, quarantineKey: null,
  };
  const fileId = bronzeFileId('archive', sha256);
  const buffers = new BronzeBuffers(options.exchange);
  const remaining = new Map(expected);
  const buffered = new Map<string, number>();
  const parts = new Map<string, number>();
  const quarantine = new TableBuilder(qSpec, 16);

  const write = async (partition: string) => {
    const [dt, hour] = partition.split('|');
    const drained = buffers.drain((v) => v.dt === dt && v.hour === Number(hour));
    buffered.delete(partition);
    for (const part of drained) {
      const written = parts.get(partition) ?? 0;
      parts.set(partition, written + 1);
      await writePart(options.store, part, written === 0 ? fileId : `${fileId}-${written}`, result);
    }
  };

  for await (const record of dataRecords(options.file)) {
    if (record.line === headerLine) continue;
    const out = readRecord(context, record);
    if ('reason' in out) {
      result.rejected++;
      const kind = reasonKind(out.reason);
      result.rejectedByReason[kind] = (result.rejectedByReason[kind] ?? 0) + 1;
      quarantine.push(quarantineRow(qSpec, out.row, {
        base, quote, source: 'archive', ingest_time: ingest, quarantined_at: ingest,
        quarantine_reason: `${out.reason} (${name} line ${record.line}: ${record.text.length > 120 ? `${record.text.slice(0, 120)}…` : record.text})`,
      }));
      continue;
    }
    buffers.add({ dataset: 'klines', symbol, timeframe: interval, stream: `archive:${interval}`, row: out.row });
    result.rows++;
    if (result.rows % PROGRESS_EVERY === 0) options.onProgress?.(result.rows);
    const partition = partitionOf(out.row.open_time as number);
    const left = (remaining.get(partition) ?? 0) - 1;
    remaining.set(partition, left);
    buffered.set(partition, (buffered.get(partition) ?? 0) + 1);
    if (left === 0) await write(partition);
    else if (buffers.bufferedRows > (options.maxBufferedRows ?? MAX_BUFFERED_ROWS)) for (const held of [...buffered.keys()]) await write(held);
  }
  options.onProgress?.(result.rows);
  // Partitions still held are complete unless the file changed since pass 1; then they must not be written.
  if (result.rows !== records - rejected || result.rejected !== rejected) {
    const counts = `${result.rows} rows now, ${records - rejected} before`;
    throw new ArchiveError(`${name}: the file changed while it was being imported (${counts}); import it again`);
  }
  for (const partition of [...buffered.keys()]) await write(partition);

  if (result.rejected) {
    const prefix = partitionPrefix(qSpec, { timeframe: interval, exchange: options.exchange, symbol, dt: dateOf(firstTime!) });
    result.quarantineKey = `${prefix}import-${sha256.slice(0, 16)}.parquet`;
    // An earlier import of the same file quarantined the same lines; its file (and time) stands.
    if (!(await options.store.exists(result.quarantineKey))) await putTable(options.store, result.quarantineKey, quarantine.build());
  }
  return result;
}

/** One Bronze file: the part's rows sorted by open time, written unless an earlier import of the file wrote it. */
async function writePart(store: ObjectStore, part: BufferedPartition, id: string, result: ImportResult): Promise<void> {
  const open = part.table.num('open_time');
  const order = Array.from({ length: part.table.length }, (_, i) => i).sort((a, b) => open[a] - open[b] || a - b);
  for (let i = 1; i < order.length; i++) if (open[order[i]] === open[order[i - 1]]) result.duplicates++;
  const key = bronzeFileKey(part.spec, part.values, part.startMs, id);
  if (await store.exists(key)) { result.existing++; return; }
  const sorted: Table = order.every((v, i) => v === i) ? part.table : part.table.take(order);
  result.bytes += await putTable(store, key, sorted);
  result.files++;
}
