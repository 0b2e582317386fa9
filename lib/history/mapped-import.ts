import { createHash } from 'node:crypto';
import path from 'node:path';
import { baseQuote } from '../exchanges/symbols';
import { putTable } from '../parquet/write';
import { timeframeMs, type ExchangeId } from '../schema/columns';
import { dataset } from '../schema/registry';
import type { DatasetSpec, PartitionValues, Row } from '../schema/types';
import { hasContiguousTradeIds } from '../silver/trades';
import { bronzeFileId, bronzeFileKey, dateOf, dayStart, partitionPrefix } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import { TableBuilder } from '../table/table';
import { UserError } from '../util/errors';
import { DAY_MS } from '../util/time';
import { MAX_QUARANTINE_ROWS } from './archive-file-import';
import { ArchiveError, checkArchiveFile, verifyChecksum } from './archive-source';
import { checkedCounts, type ImportCounts } from './import-result';
import type { TimeUnit } from './binance-klines-archive';
import { DayRows } from './day-rows';
import { REFUSE_REJECTED_SHARE, topReasons } from './import-check-pass';
import { quarantineRow, reasonKind } from './import-lines';
import { readImportMapping, type ImportMapping, type MappedDataset } from './import-mapping';
import { IntervalEvidence } from './kline-file-profile';
import { mappedRowReader, mappedSlots, type MappedRowContext } from './mapped-rows';
import { openMappedSource, recordText, type MappedSource, type Slot } from './mapped-source';

/**
 * `lakehouse import --mapping M.json --file F` (docs/history.md, "Mapped import"): any CSV or Parquet file of klines
 * or trades, its columns named by a mapping file (lib/history/import-mapping.ts), into Bronze with the archive
 * importers' rules. Two streamed passes, as `import` of an archive (lib/history/import-archive.ts): the first reads
 * and checks every record and writes nothing, so a file whose data contradicts its interval, or whose records
 * mostly fail, is refused whole; the second writes Bronze and the rejected records to quarantine with their reasons.
 *
 * Bronze gets one object per UTC day, as `lakehouse history` writes archive files (lib/history/archive-file-import.ts,
 * with its DayRows: one row group in memory while the file is in time order), in the day's `hour=00` folder.
 * Its name derives from the file's sha256, the mapping and the day, and a name that exists is left alone: importing
 * the same file with the same mapping again writes nothing new (and completes a run cut short).
 */

export interface MappedImportOptions {
  readonly store: ObjectStore;
  readonly file: string;
  /** The mapping file (JSON). */
  readonly mapping: string;
  /** Default: the mapping's; when both are given they must agree. */
  readonly exchange?: ExchangeId;
  readonly symbol?: string;
  readonly now?: () => number;
  readonly onProgress?: (rows: number) => void;
}

/** What `import --file` prints for an archive (lib/history/import-result.ts), plus the mapping's dataset and format. */
export interface MappedImportResult extends ImportCounts {
  file: string;
  mapping: string;
  dataset: MappedDataset;
  format: 'csv' | 'parquet';
  sha256: string;
  checksumVerified: boolean;
  exchange: ExchangeId;
  symbol: string;
  /** The kline interval; null for trades. */
  interval: string | null;
  unit: TimeUnit;
  layout: 'mapping';
}

const PROGRESS_EVERY = 100_000;

/** One of the mapping's exchange or symbol and the flag's: either alone, or both the same. */
function agreed<T extends string>(flag: string, given: T | undefined, mapped: T | null, mapping: ImportMapping): T {
  if (given !== undefined && mapped !== null && given !== mapped) {
    throw new UserError(
      `${flag} ${given} differs from ${mapping.name}'s ${flag.slice(2)} ${mapped}; give one or make them agree`,
    );
  }
  const value = given ?? mapped;
  if (value === null) throw new UserError(`${flag} is required (${mapping.name} names no ${flag.slice(2)})`);
  return value;
}

export async function importMapped(options: MappedImportOptions): Promise<MappedImportResult> {
  const mapping = await readImportMapping(options.mapping);
  const exchange = agreed('--exchange', options.exchange, mapping.exchange, mapping);
  const symbol = agreed('--symbol', options.symbol?.toUpperCase(), mapping.symbol, mapping);
  if (mapping.dataset === 'trades' && !('trade_id' in mapping.columns) && hasContiguousTradeIds(exchange)) {
    throw new UserError(
      `${mapping.name}: columns.trade_id: ${exchange} numbers its trades 1, 2, 3…, and Silver reports every jump as lost ` +
        'trades: map the file trade id column (ids are made up only for exchanges whose ids have gaps anyway: kraken)',
    );
  }
  await checkArchiveFile(options.file);
  const name = path.basename(options.file);
  const { sha256, verified } = await verifyChecksum(options.file);
  const { base, quote } = baseQuote(symbol);
  const spec = dataset('bronze', mapping.dataset);
  const slots = mappedSlots(mapping);
  const source = await openMappedSource(options.file, name, mapping, slots);
  const context: MappedRowContext = {
    mapping,
    exchange,
    base,
    quote,
    ingest: (options.now ?? Date.now)(),
    spec,
    timeIsInstant: source.timeIsInstant,
    stepMs: mapping.interval ? timeframeMs(mapping.interval) : 0,
  };

  const checked = await checkRecords(source, context, name);
  const result: MappedImportResult = {
    file: options.file,
    mapping: options.mapping,
    dataset: mapping.dataset,
    format: mapping.format.type,
    sha256,
    checksumVerified: verified,
    exchange,
    symbol,
    interval: mapping.interval,
    unit: mapping.time.unit,
    layout: 'mapping',
    ...checkedCounts(checked),
  };
  const importId = createHash('sha256').update(`mapped/${sha256}/${mapping.digest}`).digest('hex');
  await writeRecords(
    { store: options.store, source, context, slots, name, spec, importId, checked, onProgress: options.onProgress },
    result,
  );
  return result;
}

interface CheckedRecords {
  records: number;
  rejected: number;
  firstTime: number | null;
  lastTime: number | null;
}

/** Pass 1: every record read and checked, nothing written; a file the checks say is wrong is refused whole. */
async function checkRecords(source: MappedSource, context: MappedRowContext, name: string): Promise<CheckedRecords> {
  const reader = mappedRowReader(context);
  const evidence = context.mapping.dataset === 'klines' ? new IntervalEvidence() : undefined;
  const byReason = new Map<string, { count: number; line: number }>();
  const checked: CheckedRecords = { records: 0, rejected: 0, firstTime: null, lastTime: null };
  for await (const batch of source.batches()) {
    for (const record of batch) {
      checked.records++;
      const out = reader.read(record);
      if (evidence && out.time !== undefined) evidence.add(out.time, null);
      if ('reason' in out) {
        checked.rejected++;
        const kind = reasonKind(out.reason);
        const seen = byReason.get(kind);
        if (seen) seen.count++;
        else byReason.set(kind, { count: 1, line: record.position });
        continue;
      }
      checked.firstTime = Math.min(checked.firstTime ?? out.time, out.time);
      checked.lastTime = Math.max(checked.lastTime ?? out.time, out.time);
    }
  }
  const interval = context.mapping.interval;
  const contradiction = interval ? evidence?.contradiction(interval) : null;
  if (contradiction) {
    throw new ArchiveError(
      `${name}: ${contradiction} (the interval ${interval} comes from ${context.mapping.name}); nothing imported`,
    );
  }
  const wrong = `likely the wrong mapping (${context.mapping.name}) or file; nothing imported`;
  const kinds = topReasons(byReason, source.unit);
  if (checked.records === 0) throw new ArchiveError(`${name}: holds no data rows`);
  if (checked.rejected === checked.records) {
    throw new ArchiveError(`${name}: none of its ${checked.records} rows can be imported (${kinds}): ${wrong}`);
  }
  if (checked.rejected > REFUSE_REJECTED_SHARE * checked.records) {
    throw new ArchiveError(`${name}: ${checked.rejected} of ${checked.records} rows fail the checks (${kinds}): ${wrong}`);
  }
  return checked;
}

interface WritePass {
  readonly store: ObjectStore;
  readonly source: MappedSource;
  readonly context: MappedRowContext;
  readonly slots: readonly Slot[];
  readonly name: string;
  readonly spec: DatasetSpec;
  /** Digest of the file's sha256 and the mapping: the import's Bronze and quarantine names derive from it. */
  readonly importId: string;
  readonly checked: CheckedRecords;
  readonly onProgress?: (rows: number) => void;
}

/** A day being written: its object's key, and its rows unless an earlier import wrote the object already. */
interface OpenDay {
  readonly key: string;
  readonly rows: DayRows | null;
  /** Klines: the open times of the day so far, to count duplicates. */
  readonly seen: Set<number> | null;
}

/** Pass 2: the same reading, each UTC day into its Bronze object, the rejects into one quarantine object. */
async function writeRecords(pass: WritePass, result: MappedImportResult): Promise<void> {
  const { store, source, context, spec, name } = pass;
  const { mapping, exchange, base, quote, ingest } = context;
  const klines = mapping.dataset === 'klines';
  const timeframe = klines ? { timeframe: mapping.interval! } : {};
  const quarantineSpec = dataset('quarantine', mapping.dataset);
  const quarantine = new TableBuilder(quarantineSpec, 16);
  const reader = mappedRowReader(context);
  const open = new Map<string, OpenDay>();
  const parts = new Map<string, number>();
  let latestDay = '';
  let day = '';
  let dayFrom = Number.NaN;
  let dayTo = Number.NaN;
  let previousId = Number.NaN;

  const dayKey = (dt: string, part: number): string => {
    const id = bronzeFileId('archive', createHash('sha256').update(`${pass.importId}/${dt}`).digest('hex'));
    const values: PartitionValues = { ...timeframe, exchange, symbol: result.symbol, dt, hour: 0 };
    return bronzeFileKey(spec, values, dayStart(dt), part === 0 ? id : `${id}-${part}`);
  };
  const openDay = async (dt: string): Promise<OpenDay> => {
    // A file that returns to a day it left gets another part, as lakehouse history's day objects do.
    const part = parts.get(dt) ?? 0;
    parts.set(dt, part + 1);
    const key = dayKey(dt, part);
    const exists = await store.exists(key);
    if (exists) result.existing++;
    const held: OpenDay = { key, rows: exists ? null : new DayRows(spec), seen: klines ? new Set() : null };
    open.set(dt, held);
    return held;
  };
  const flush = async (dt: string) => {
    const held = open.get(dt);
    open.delete(dt);
    if (!held?.rows) return;
    result.bytes += await held.rows.put(store, held.key);
    result.files++;
  };
  const accept = async (row: Row, time: number) => {
    if (!(time >= dayFrom && time < dayTo)) {
      day = dateOf(time);
      dayFrom = Math.floor(time / DAY_MS) * DAY_MS;
      dayTo = dayFrom + DAY_MS;
    }
    const held = open.get(day) ?? (await openDay(day));
    if (held.seen) {
      if (held.seen.has(time)) result.duplicates++;
      else held.seen.add(time);
    } else if (row.trade_id === previousId) result.duplicates++;
    previousId = row.trade_id as number;
    if (held.rows) await held.rows.push(row);
    result.rows++;
    if (result.rows % PROGRESS_EVERY === 0) pass.onProgress?.(result.rows);
    // Files run forward in time: a row of a later day closes the days before it.
    if (day > latestDay) {
      for (const dt of [...open.keys()]) if (dt < day) await flush(dt);
      latestDay = day;
    }
  };

  try {
    for await (const batch of source.batches()) {
      for (const record of batch) {
        const out = reader.read(record);
        if (!('reason' in out)) {
          await accept(out.row, out.time);
          continue;
        }
        result.rejected++;
        const kind = reasonKind(out.reason);
        result.rejectedByReason[kind] = (result.rejectedByReason[kind] ?? 0) + 1;
        if (quarantine.length >= MAX_QUARANTINE_ROWS) continue;
        const text = recordText(record, pass.slots);
        const shown = text.length > 120 ? `${text.slice(0, 120)}…` : text;
        const why = `${out.reason} (${name} ${source.unit} ${record.position}: ${shown})`;
        const fill = { base, quote, source: 'archive', ingest_time: ingest, quarantined_at: ingest, quarantine_reason: why };
        quarantine.push(quarantineRow(quarantineSpec, out.row, fill));
      }
    }
    pass.onProgress?.(result.rows);
    // The days still held are complete unless the file changed since pass 1; then they must not be written.
    const good = pass.checked.records - pass.checked.rejected;
    if (result.rows !== good || result.rejected !== pass.checked.rejected) {
      throw new ArchiveError(
        `${name}: the file changed while it was being imported (${result.rows} rows now, ${good} before); import it again`,
      );
    }
    for (const dt of [...open.keys()]) await flush(dt);
  } finally {
    for (const held of open.values()) await held.rows?.discard();
  }

  if (result.rejected === 0) return;
  const prefix = partitionPrefix(quarantineSpec, {
    ...timeframe,
    exchange,
    symbol: result.symbol,
    dt: dateOf(result.firstTime!),
  });
  result.quarantineKey = `${prefix}import-${pass.importId.slice(0, 16)}.parquet`;
  // An earlier import of the same file quarantined the same records; its object (and time) stands.
  if (!(await store.exists(result.quarantineKey))) await putTable(store, result.quarantineKey, quarantine.build());
}
