import { BronzeBuffers, type BufferedPartition } from '../bronze/bronze-buffers';
import { putTable } from '../parquet/write';
import type { ExchangeId } from '../schema/columns';
import { dataset } from '../schema/registry';
import { bronzeFileId, bronzeFileKey, dateOf, partitionPrefix } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import { TableBuilder, type Table } from '../table/table';
import { ArchiveError } from './archive-source';
import type { ImportResult } from './import-result';
import { partitionOf, type CheckedFile } from './import-check-pass';
import { dataRecords, quarantineRow, readRecord, reasonKind } from './import-lines';

/**
 * The second pass of `lakehouse import` (lib/history/import-archive.ts): the same checks as the first, now
 * writing one Bronze file per hour partition once the hour is complete, sorted by time, and the rejected lines to
 * quarantine with their reasons. File names derive from the archive's sha256 and the partition, and a name that
 * already exists is left alone, so importing the same file again writes nothing new.
 */

const PROGRESS_EVERY = 100_000;
/**
 * Rows held while waiting for their hour partition to be complete. An ordered file holds one hour at a time; a
 * shuffled one holds more, and past this bound every partition held is written as a part, so memory stays bounded
 * and a huge shuffled file still gets a few files per hour rather than one per row.
 */
export const MAX_BUFFERED_ROWS = 250_000;

export interface WritePass {
  store: ObjectStore;
  file: string;
  /** The file's base name, for reasons and errors. */
  name: string;
  exchange: ExchangeId;
  symbol: string;
  sha256: string;
  checked: CheckedFile;
  maxBufferedRows?: number;
  onProgress?(rows: number): void;
}

/** Writes the file's Bronze and quarantine, counting into `result`. */
export async function writeArchiveLines(pass: WritePass, result: ImportResult): Promise<void> {
  const { store, name, symbol, checked } = pass;
  const { context, headerLine } = checked;
  const { interval, base, quote, ingest } = context;
  const quarantineSpec = dataset('quarantine', 'klines');
  const fileId = bronzeFileId('archive', pass.sha256);
  const buffers = new BronzeBuffers(pass.exchange);
  const remaining = new Map(checked.expected);
  const buffered = new Map<string, number>();
  const parts = new Map<string, number>();
  const quarantine = new TableBuilder(quarantineSpec, 16);

  const write = async (partition: string) => {
    const [dt, hour] = partition.split('|');
    const drained = buffers.drain((values) => values.dt === dt && values.hour === Number(hour));
    buffered.delete(partition);
    for (const part of drained) {
      const written = parts.get(partition) ?? 0;
      parts.set(partition, written + 1);
      await writePart(store, part, written === 0 ? fileId : `${fileId}-${written}`, result);
    }
  };

  for await (const record of dataRecords(pass.file)) {
    if (record.line === headerLine) continue;
    const out = readRecord(context, record);
    if ('reason' in out) {
      result.rejected++;
      const kind = reasonKind(out.reason);
      result.rejectedByReason[kind] = (result.rejectedByReason[kind] ?? 0) + 1;
      const text = record.text.length > 120 ? `${record.text.slice(0, 120)}…` : record.text;
      quarantine.push(
        quarantineRow(quarantineSpec, out.row, {
          base,
          quote,
          source: 'archive',
          ingest_time: ingest,
          quarantined_at: ingest,
          quarantine_reason: `${out.reason} (${name} line ${record.line}: ${text})`,
        }),
      );
      continue;
    }
    buffers.add({ dataset: 'klines', symbol, timeframe: interval, stream: `archive:${interval}`, row: out.row });
    result.rows++;
    if (result.rows % PROGRESS_EVERY === 0) pass.onProgress?.(result.rows);
    const partition = partitionOf(out.row.open_time as number);
    const left = (remaining.get(partition) ?? 0) - 1;
    remaining.set(partition, left);
    buffered.set(partition, (buffered.get(partition) ?? 0) + 1);
    if (left === 0) await write(partition);
    else if (buffers.bufferedRows > (pass.maxBufferedRows ?? MAX_BUFFERED_ROWS))
      for (const held of [...buffered.keys()]) await write(held);
  }
  pass.onProgress?.(result.rows);
  // Partitions still held are complete unless the file changed since pass 1; then they must not be written.
  const good = checked.records - checked.rejected;
  if (result.rows !== good || result.rejected !== checked.rejected) {
    throw new ArchiveError(
      `${name}: the file changed while it was being imported (${result.rows} rows now, ${good} before); import it again`,
    );
  }
  for (const partition of [...buffered.keys()]) await write(partition);

  if (result.rejected) {
    const prefix = partitionPrefix(quarantineSpec, {
      timeframe: interval,
      exchange: pass.exchange,
      symbol,
      dt: dateOf(checked.firstTime!),
    });
    result.quarantineKey = `${prefix}import-${pass.sha256.slice(0, 16)}.parquet`;
    // An earlier import of the same file quarantined the same lines; its file (and time) stands.
    if (!(await store.exists(result.quarantineKey))) await putTable(store, result.quarantineKey, quarantine.build());
  }
}

/** One Bronze file: the part's rows sorted by open time, written unless an earlier import of the file wrote it. */
async function writePart(store: ObjectStore, part: BufferedPartition, id: string, result: ImportResult): Promise<void> {
  const open = part.table.num('open_time');
  const order = Array.from({ length: part.table.length }, (_, i) => i).sort((a, b) => open[a] - open[b] || a - b);
  for (let i = 1; i < order.length; i++) if (open[order[i]] === open[order[i - 1]]) result.duplicates++;
  const key = bronzeFileKey(part.spec, part.values, part.startMs, id);
  if (await store.exists(key)) {
    result.existing++;
    return;
  }
  const sorted: Table = order.every((index, i) => index === i) ? part.table : part.table.take(order);
  result.bytes += await putTable(store, key, sorted);
  result.files++;
}
