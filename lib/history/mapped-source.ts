import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import {
  asyncBufferFromFile,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
  type SchemaElement,
} from 'hyparquet';
import { ArchiveError, archiveLineBatches, MAX_LINE_CHARS, splitFields, type SourceLine } from './archive-source';
import { UNIT_NAME, type TimeUnit } from './binance-klines-archive';
import type { ColumnRef, ImportMapping } from './import-mapping';
import { columnDecimals, PROFILE_SAMPLE, truncatedField } from './kline-file-profile';

/**
 * The records of a file `lakehouse import --mapping` reads (lib/history/mapped-import.ts), as the values of the
 * mapping's columns: a CSV streamed line by line (lib/history/archive-source.ts, so a .zip holding one CSV works
 * too), a Parquet file row group by row group. Either way memory holds one chunk of the file, and each call of
 * `batches()` reads it again from the start. A mapping that names a column the file does not have is one line
 * naming the mapping's field, raised before the first record.
 */

/** One mapped field and the file column it is read from. */
export interface Slot {
  /** The mapping's field: `time.column` or `columns.open`. */
  readonly field: string;
  readonly ref: ColumnRef;
}

export interface MappedRecord {
  /** The slots' values, in slot order: text from a CSV; numbers, bigints, strings, booleans or null from Parquet. */
  readonly values: readonly unknown[];
  /** Line (CSV) or row (Parquet) number, from 1. */
  readonly position: number;
  /** The CSV line; undefined for Parquet, whose record text is made only for a reject (recordText). */
  readonly text?: string;
  /** Why the record cannot be read at all (too long, cut short, the wrong width), or undefined. */
  readonly problem?: string;
}

export interface MappedSource {
  /** `line` or `row`: what a record's position counts. */
  readonly unit: 'line' | 'row';
  /** The time slot holds epoch milliseconds already (a Parquet TIMESTAMP column), not text in the mapping's unit. */
  readonly timeIsInstant: boolean;
  batches(): AsyncGenerator<MappedRecord[]>;
}

export async function openMappedSource(file: string, name: string, mapping: ImportMapping, slots: Slot[]): Promise<MappedSource> {
  const fail = (field: string, problem: string): ArchiveError => new ArchiveError(`${mapping.name}: ${field}: ${problem}`);
  if (mapping.format.type === 'parquet') return openParquet(file, name, mapping, slots, fail);
  const format = mapping.format;
  return { unit: 'line', timeIsInstant: false, batches: () => csvBatches(file, name, format, slots, fail) };
}

/** The text of a record for its quarantine reason: the CSV line, or the mapped Parquet values as JSON. */
export function recordText(record: MappedRecord, slots: readonly Slot[]): string {
  if (record.text !== undefined) return record.text;
  const shown = Object.fromEntries(slots.map((slot, i) => [String(slot.ref), record.values[i]]));
  return JSON.stringify(shown, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

type Fail = (field: string, problem: string) => ArchiveError;

/** A file's column names for a message: enough of them to find the one meant. */
const listed = (names: readonly string[]): string => {
  const text = names.join(', ');
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
};

// ---- CSV ------------------------------------------------------------------------------------------------------

interface CsvLine extends SourceLine {
  fields: string[];
}

/** How every line of one CSV is read, decided from its header (or its first lines) and the mapping. */
interface CsvLayout {
  header: string[] | null;
  /** The column count every line must have: the header's, or the one most of the first lines share. */
  columns: number;
  /** File column of each slot. */
  indices: number[];
  /** Decimals per column over the first lines, to tell a last line cut short (truncatedField). */
  decimals: Map<number, number>[];
}

function csvLayout(name: string, sample: CsvLine[], header: boolean, slots: readonly Slot[], fail: Fail): CsvLayout {
  const head = header ? sample[0] : undefined;
  if (head?.overlong) throw new ArchiveError(`${name}: line 1, the header, is longer than ${MAX_LINE_CHARS} characters`);
  const data = header ? sample.slice(1) : sample;
  if (sample.length === 0) throw new ArchiveError(`${name}: holds no data rows`);
  if (data.length === 0) throw new ArchiveError(`${name}: holds a header and no data rows`);
  let columns: number;
  if (head) columns = head.fields.length;
  else {
    const counts = new Map<number, number>();
    for (const line of data) counts.set(line.fields.length, (counts.get(line.fields.length) ?? 0) + 1);
    columns = [...counts].reduce((best, next) => (next[1] > best[1] ? next : best))[0];
  }
  const where = head
    ? `its header: ${listed(head.fields)}`
    : `most of its first ${data.length} lines have ${columns} columns (0…${columns - 1})`;
  const indices = slots.map((slot) => {
    if (typeof slot.ref === 'number') {
      if (slot.ref >= columns) throw fail(slot.field, `column ${slot.ref} is not in ${name}: ${where}`);
      return slot.ref;
    }
    const index = head!.fields.indexOf(slot.ref);
    if (index < 0) throw fail(slot.field, `no column '${slot.ref}' in ${name} (${where})`);
    return index;
  });
  const usual = data.filter((line) => line.fields.length === columns);
  return { header: head?.fields ?? null, columns, indices, decimals: columnDecimals(usual, columns) };
}

function csvRecord(line: CsvLine, layout: CsvLayout): MappedRecord {
  const base = { position: line.line, text: line.text };
  if (line.overlong) return { ...base, values: [], problem: `line longer than ${MAX_LINE_CHARS} characters` };
  if (!line.terminated) {
    const cut = truncatedField(layout, line.fields);
    if (cut) return { ...base, values: [], problem: cut };
  }
  if (line.fields.length !== layout.columns) {
    return { ...base, values: [], problem: `expected ${layout.columns} columns, got ${line.fields.length}` };
  }
  return { ...base, values: layout.indices.map((index) => line.fields[index]) };
}

async function* csvBatches(
  file: string,
  name: string,
  format: { header: boolean; delimiter: string },
  slots: readonly Slot[],
  fail: Fail,
): AsyncGenerator<MappedRecord[]> {
  let layout: CsvLayout | undefined;
  const sample: CsvLine[] = [];
  for await (const batch of archiveLineBatches(file)) {
    const out: MappedRecord[] = [];
    for (const source of batch) {
      // A UTF-8 byte-order mark, read as Latin-1, is not part of the first field.
      const text = source.line === 1 && source.text.startsWith('\xEF\xBB\xBF') ? source.text.slice(3) : source.text;
      if (text.trim() === '') continue;
      const line = { ...source, text, fields: splitFields(text, format.delimiter) };
      if (layout) {
        out.push(csvRecord(line, layout));
        continue;
      }
      sample.push(line);
      if (sample.length < PROFILE_SAMPLE) continue;
      layout = csvLayout(name, sample, format.header, slots, fail);
      for (const held of format.header ? sample.slice(1) : sample) out.push(csvRecord(held, layout));
    }
    if (out.length) yield out;
  }
  if (!layout) {
    const short = csvLayout(name, sample, format.header, slots, fail);
    yield (format.header ? sample.slice(1) : sample).map((held) => csvRecord(held, short));
  }
}

// ---- Parquet ----------------------------------------------------------------------------------------------------

/** Codecs this reader decompresses: hyparquet's own, and node:zlib's (Node 20 has no zstd). */
const compressors = {
  GZIP: (input: Uint8Array, outputLength: number): Uint8Array =>
    gunzipSync(input, { maxOutputLength: Math.max(outputLength, 1) }),
  BROTLI: (input: Uint8Array, outputLength: number): Uint8Array =>
    brotliDecompressSync(input, { maxOutputLength: Math.max(outputLength, 1) }),
};
const READABLE_CODECS = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI'];

/** Timestamps as epoch milliseconds (whole ones: µs and ns are floored), as every lake timestamp is. */
const parsers = {
  timestampFromMilliseconds: (v: bigint) => Number(v),
  timestampFromMicroseconds: (v: bigint) => Number(v / 1000n),
  timestampFromNanoseconds: (v: bigint) => Number(v / 1_000_000n),
};

/** The unit of a Parquet timestamp column, 'date' for a DATE column, or null for any other column. */
function timestampUnit(element: SchemaElement): Exclude<TimeUnit, 's' | 'iso'> | 'date' | null {
  const logical = element.logical_type;
  if (logical?.type === 'TIMESTAMP') return logical.unit === 'MILLIS' ? 'ms' : logical.unit === 'MICROS' ? 'us' : 'ns';
  if (logical?.type === 'DATE' || element.converted_type === 'DATE') return 'date';
  if (element.converted_type === 'TIMESTAMP_MILLIS') return 'ms';
  if (element.converted_type === 'TIMESTAMP_MICROS') return 'us';
  if (element.type === 'INT96') return 'ns';
  return null;
}

const NUMERIC = new Set(['INT32', 'INT64', 'FLOAT', 'DOUBLE']);

async function openParquet(
  file: string,
  name: string,
  mapping: ImportMapping,
  slots: readonly Slot[],
  fail: Fail,
): Promise<MappedSource> {
  const buffer: AsyncBuffer = await asyncBufferFromFile(file);
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    throw new ArchiveError(`${name}: not a readable Parquet file (${(error as Error).message})`);
  }
  const top = parquetSchema(metadata).children;
  const names = top.map((child) => child.element.name);
  const columnList = `its columns: ${listed(names)}`;
  const columns = slots.map((slot) => {
    const index = typeof slot.ref === 'number' ? slot.ref : names.indexOf(slot.ref);
    if (typeof slot.ref === 'number' && index >= names.length) {
      throw fail(
        slot.field,
        `column ${slot.ref} is not in ${name}: it has ${names.length} (0…${names.length - 1}; ${columnList})`,
      );
    }
    if (index < 0) throw fail(slot.field, `no column '${slot.ref}' in ${name} (${columnList})`);
    if (top[index].children.length > 0)
      throw fail(slot.field, `'${names[index]}' is a nested column (a list or struct); map flat columns`);
    return names[index];
  });
  const wanted = [...new Set(columns)];
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (!meta || !wanted.includes(meta.path_in_schema[0]) || READABLE_CODECS.includes(meta.codec)) continue;
      throw new ArchiveError(
        `${name}: column '${meta.path_in_schema[0]}' is ${meta.codec}-compressed, which this import does not read ` +
          `(it reads ${READABLE_CODECS.join(', ')}): write the file with snappy or gzip`,
      );
    }
  }

  const timeColumn = top[names.indexOf(columns[0])].element;
  const stored = timestampUnit(timeColumn);
  const unit = mapping.time.unit;
  if (stored === 'date') throw fail('time.column', `'${timeColumn.name}' is a Parquet DATE: map a timestamp or epoch column`);
  if (stored && stored !== unit) {
    throw fail(
      'time.unit',
      `'${unit}', but '${timeColumn.name}' is a Parquet timestamp in ${UNIT_NAME[stored]}: set "unit": "${stored}"`,
    );
  }
  if (!stored && unit === 'iso' && timeColumn.type && NUMERIC.has(timeColumn.type)) {
    throw fail(
      'time.unit',
      `'iso', but '${timeColumn.name}' holds numbers (${timeColumn.type}): give its epoch unit (s, ms, us, ns)`,
    );
  }

  async function* batches(): AsyncGenerator<MappedRecord[]> {
    let rowStart = 0;
    for (const [index, group] of metadata.row_groups.entries()) {
      const rowEnd = rowStart + Number(group.num_rows);
      let rows: Record<string, unknown>[];
      try {
        rows = await parquetReadObjects({ file: buffer, metadata, columns: wanted, rowStart, rowEnd, parsers, compressors });
      } catch (error) {
        throw new ArchiveError(
          `${name}: unreadable row group ${index + 1} (rows ${rowStart + 1}…${rowEnd}): ${(error as Error).message}`,
        );
      }
      const first = rowStart;
      yield rows.map((row, i) => ({ position: first + i + 1, values: columns.map((column) => row[column] ?? null) }));
      rowStart = rowEnd;
    }
  }
  return { unit: 'row', timeIsInstant: stored !== null, batches };
}
