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
  for await (const l of archiveLines(file)) {
    const text = l.line === 1 && l.text.startsWith('\xEF\xBB\xBF') ? l.text.slice(3) : l.text;
    if (text.trim() === '') continue;
    yield { ...l, text, fields: splitFields(text) };
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
function readRecord(c: Context, r: DataRecord): Outcome {
  const p = c.profile;
  if (r.overlong) return { reason: `line longer than ${MAX_LINE_CHARS} characters` };
  if (!r.terminated) {
    const cut = truncatedField(p, r.fields);
    if (cut) return { reason: cut };
  }
  if (r.fields.length !== p.columns) return { reason: `expected ${p.columns} columns, got ${r.fields.length}` };
  const row = p.layout === 'binance-archive'
    ? klineArchiveRow(r.fields, p.unit, c.base, c.quote, c.ingest)
    : ohlcvRow(r.fields, p.layout, c.stepMs, c.base, c.quote, c.ingest, p.unit);
  if (typeof row === 'string') return { reason: row };
  const openTime = row.open_time as number;
  const era = checkExchangeTime(c.exchange, 'open_time', openTime, c.ingest);
  if (era) return { reason: era, row };
  const closeTime = p.layout === 'binance-archive' ? (row.close_time as number) : null;
  const timed = { openTime, closeTime };
  const invalid = validateRow(c.spec, row);
  if (invalid) return { reason: invalid, row, ...timed };
  if (openTime % c.stepMs !== 0) return { reason: `open_time not on the ${c.interval} grid: ${isoOrNumber(openTime)}`, row, ...timed };
  if (closeTime !== null && closeTime - openTime + 1 !== c.stepMs) {
    return { reason: `close_time − open_time + 1 is not ${c.interval}: ${closeTime - openTime + 1} ms`, row, ...timed };
  }
  return { row, ...timed };
}

/** A quarantine row: the values that fit their column (a garbage line may have none), the reason and where it came from. */
function quarantineRow(q: DatasetSpec, row: Row | undefined, fill: Row): Row {
  const out: Row = { ...fill };
  if (row) {
    for (const col of q.columns) {
      const v = row[col.name];
      if (v === undefined || checkValue(col, v, { ranges: false })) continue;
      // Parquet timestamps past year 9999 (a µs time read as ms) would make the quarantine table unreadable.
      if (col.type === 'timestamp' && Math.abs(v as number) > 253_402_300_799_999) continue;
      if (col.type === 'int32' && Math.abs(v as number) > 2 ** 31 - 1) continue;
      if (col.type === 'int64' && !Number.isSafeInteger(v)) continue;
      out[col.name] = v;
    }
  }
  return out;
}

/** The datasets `import` reads; the others Binance publishes are refused with this list. */
export const IMPORT_DATASETS = ['klines'] as const;

export async function importArchive(o: ImportOptions): Promise<ImportResult> {
  if (!(IMPORT_DATASETS as readonly string[]).includes(o.dataset)) {
    throw new ArchiveError(`import of '${o.dataset}' archives is not supported yet (supported: ${IMPORT_DATASETS.join(', ')})`);
  }
  const name = path.basename(o.file);
  const named = { ...parseDownloadName(name), ...parseArchiveName(name) };
  const symbol = (o.symbol ?? named.symbol)?.toUpperCase();
  const interval = o.interval ?? named.interval;
  if (!symbol) throw new ArchiveError('--symbol is required (it cannot be read from the file name)');
  if (!interval || !(KLINE_TIMEFRAMES as readonly string[]).includes(interval)) {
    throw new ArchiveError(`--interval must be one of ${KLINE_TIMEFRAMES.join(', ')} (got ${interval ?? 'none'})`);
  }
  await checkArchiveFile(o.file);
  const { sha256, verified } = await verifyChecksum(o.file);
  const spec = dataset('bronze', 'klines');
  const qSpec = dataset('quarantine', 'klines');
  const { base, quote } = baseQuote(symbol);
  const ingest = (o.now ?? Date.now)();

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
  const check = (r: DataRecord) => {
    if (r.line === headerLine) return;
    records++;
    const out = readRecord(ctx!, r);
    if (out.openTime !== undefined) evidence.add(out.openTime, out.closeTime ?? null);
    if ('reason' in out) {
      rejected++;
      const kind = reasonKind(out.reason);
      const seen = byReason.get(kind);
      if (seen) seen.n++;
      else byReason.set(kind, { n: 1, line: r.line });
      return;
    }
    const t = out.row.open_time as number;
    const k = partitionOf(t);
    expected.set(k, (expected.get(k) ?? 0) + 1);
    firstTime = firstTime === null ? t : Math.min(firstTime, t);
    lastTime = lastTime === null ? t : Math.max(lastTime, t);
  };
  const start = () => {
    const profile = profileKlineFile(name, sample);
    if (profile.header) headerLine = sample[0].line;
    ctx = { profile, exchange: o.exchange, interval, stepMs: timeframeMs(interval), base, quote, ingest, spec };
    for (const r of sample) check(r);
    sample.length = 0;
  };
  for await (const r of dataRecords(o.file)) {
    if (ctx) { check(r); continue; }
    sample.push(r);
    if (sample.length >= PROFILE_SAMPLE) start();
  }
  if (!ctx) start();
  const c = ctx!;

  const from = o.interval ? '--interval' : 'the file name';
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
    file: o.file, sha256, checksumVerified: verified, symbol, interval, unit: c.profile.unit, layout: c.profile.layout,
    records, rows: 0, rejected: 0, rejectedByReason: {}, duplicates: 0, files: 0, existing: 0, bytes: 0,
    firstTime, lastTime, quarantineKey: null,
  };
  const fileId = bronzeFileId('archive', sha256);
  const buffers = new BronzeBuffers(o.exchange);
  const remaining = new Map(expected);
  const buffered = new Map<string, number>();
  const parts = new Map<string, number>();
  const quarantine = new TableBuilder(qSpec, 16);

  const write = async (k: string) => {
    const [dt, hour] = k.split('|');
    const drained = buffers.drain((v) => v.dt === dt && v.hour === Number(hour));
    buffered.delete(k);
    for (const p of drained) {
      const n = parts.get(k) ?? 0;
      parts.set(k, n + 1);
      await writePart(o.store, p, n === 0 ? fileId : `${fileId}-${n}`, result);
    }
  };

  for await (const r of dataRecords(o.file)) {
    if (r.line === headerLine) continue;
    const out = readRecord(c, r);
    if ('reason' in out) {
      result.rejected++;
      const kind = reasonKind(out.reason);
      result.rejectedByReason[kind] = (result.rejectedByReason[kind] ?? 0) + 1;
      quarantine.push(quarantineRow(qSpec, out.row, {
        base, quote, source: 'archive', ingest_time: ingest, quarantined_at: ingest,
        quarantine_reason: `${out.reason} (${name} line ${r.line}: ${r.text.length > 120 ? `${r.text.slice(0, 120)}…` : r.text})`,
      }));
      continue;
    }
    buffers.add({ dataset: 'klines', symbol, timeframe: interval, stream: `archive:${interval}`, row: out.row });
    result.rows++;
    if (result.rows % PROGRESS_EVERY === 0) o.onProgress?.(result.rows);
    const k = partitionOf(out.row.open_time as number);
    const left = (remaining.get(k) ?? 0) - 1;
    remaining.set(k, left);
    buffered.set(k, (buffered.get(k) ?? 0) + 1);
    if (left === 0) await write(k);
    else if (buffers.bufferedRows > (o.maxBufferedRows ?? MAX_BUFFERED_ROWS)) for (const held of [...buffered.keys()]) await write(held);
  }
  o.onProgress?.(result.rows);
  // Partitions still held are complete unless the file changed since pass 1; then they must not be written.
  if (result.rows !== records - rejected || result.rejected !== rejected) {
    const counts = `${result.rows} rows now, ${records - rejected} before`;
    throw new ArchiveError(`${name}: the file changed while it was being imported (${counts}); import it again`);
  }
  for (const k of [...buffered.keys()]) await write(k);

  if (result.rejected) {
    const prefix = partitionPrefix(qSpec, { timeframe: interval, exchange: o.exchange, symbol, dt: dateOf(firstTime!) });
    result.quarantineKey = `${prefix}import-${sha256.slice(0, 16)}.parquet`;
    // An earlier import of the same file quarantined the same lines; its file (and time) stands.
    if (!(await o.store.exists(result.quarantineKey))) await putTable(o.store, result.quarantineKey, quarantine.build());
  }
  return result;
}

/** One Bronze file: the part's rows sorted by open time, written unless an earlier import of the file wrote it. */
async function writePart(store: ObjectStore, p: BufferedPartition, id: string, result: ImportResult): Promise<void> {
  const open = p.table.num('open_time');
  const order = Array.from({ length: p.table.length }, (_, i) => i).sort((a, b) => open[a] - open[b] || a - b);
  for (let i = 1; i < order.length; i++) if (open[order[i]] === open[order[i - 1]]) result.duplicates++;
  const key = bronzeFileKey(p.spec, p.values, p.startMs, id);
  if (await store.exists(key)) { result.existing++; return; }
  const sorted: Table = order.every((v, i) => v === i) ? p.table : p.table.take(order);
  result.bytes += await putTable(store, key, sorted);
  result.files++;
}
