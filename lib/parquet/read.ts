import { gunzipSync } from 'node:zlib';
import {
  parquetMetadataAsync,
  parquetScan,
  parquetSchema,
  type AsyncBuffer,
  type ColumnChunk,
  type DecodedArray,
  type FileMetaData,
} from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getTreePath, isFlatColumn } from 'hyparquet/src/schema.js';
import type { ColumnDecoder } from 'hyparquet/src/types.js';
import { isNumericType, Table, type ColumnData } from '../table/table';
import type { DatasetSpec } from '../schema/types';
import type { ObjectStore } from '../storage/object-store';
import { parquetBytesProblem } from './verify';

/**
 * Reads Parquet into registry tables. Columns the file lacks (files written before a column was added) come
 * back as nulls when nullable; a missing required column is an error naming the file.
 */

export function bufferOf(bytes: Uint8Array): AsyncBuffer {
  return {
    byteLength: bytes.byteLength,
    slice: (start: number, end?: number) =>
      bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + (end ?? bytes.byteLength)) as ArrayBuffer,
  };
}

const parsers = {
  timestampFromMilliseconds: (v: bigint) => Number(v),
  timestampFromMicroseconds: (v: bigint) => Number(v / 1000n),
  timestampFromNanoseconds: (v: bigint) => Number(v / 1_000_000n),
};

/** Native GZIP decompression (our files are GZIP since docs/decisions.md "Silver day bench"); snappy stays hyparquet's. */
const compressors = {
  GZIP: (input: Uint8Array, outputLength: number): Uint8Array =>
    gunzipSync(input, { maxOutputLength: Math.max(outputLength, 1) }),
};

/**
 * The file's rows as a registry table. Reads one row group and one column at a time and copies it straight
 * into the output columns, so memory holds the output plus one decoded column chunk (a day of 100 ms book
 * snapshots would otherwise keep every decoded chunk alive at once, several times the table's size).
 */
export async function readParquet(spec: DatasetSpec, bytes: Uint8Array, source = 'parquet file'): Promise<Table> {
  const file = bufferOf(bytes);
  const metadata: FileMetaData = await parquetMetadataAsync(file);
  const length = Number(metadata.num_rows);
  const present = new Set(metadata.schema.slice(1).map((s) => s.name));
  for (const column of spec.columns) {
    if (!present.has(column.name) && !column.nullable) throw new Error(`${source}: required column ${column.name} is missing`);
  }
  const columns: Record<string, ColumnData> = {};
  for (const column of spec.columns) {
    columns[column.name] = isNumericType(column.type)
      ? new Float64Array(length).fill(NaN)
      : (new Array(length).fill(null) as ColumnData);
  }
  const wanted = spec.columns.filter((c) => present.has(c.name)).map((c) => c.name);
  if (length > 0 && wanted.length > 0) {
    if (!readFlat(bytes, metadata, wanted, columns)) await readScan(file, metadata, wanted, columns);
  }
  return new Table(spec, length, columns);
}

/** Copies decoded values into an output column from row `at`; `defs` (0 = null) spreads them over the rows. */
function scatter(out: ColumnData, at: number, values: ArrayLike<unknown>, defs: number[] | undefined, rows: number): void {
  const nums = out instanceof Float64Array ? out : null;
  const cells = out as unknown[];
  if (!defs || defs.length === 0) {
    if (nums) {
      if (values instanceof Float64Array) nums.set(values, at);
      else
        for (let i = 0; i < rows; i++) {
          const value = values[i];
          nums[at + i] = value === null || value === undefined ? NaN : Number(value);
        }
    } else for (let i = 0; i < rows; i++) cells[at + i] = values[i] ?? null;
    return;
  }
  let j = 0;
  for (let i = 0; i < rows; i++) {
    if (defs[i] === 0) continue; // already null / NaN
    const value = values[j++];
    if (nums) nums[at + i] = value === null || value === undefined ? NaN : Number(value);
    else cells[at + i] = value ?? null;
  }
}

/**
 * Decodes each flat column chunk page by page straight into the output columns, with hyparquet's page decoders
 * but without its list assembly: that built a boxed array with nulls for every optional column chunk (a fifth of
 * a book_top10 day's read time, plus the garbage). Returns false, having read nothing, when the file has a nested
 * column, which readScan then handles.
 */
function readFlat(
  bytes: Uint8Array,
  metadata: FileMetaData,
  wanted: readonly string[],
  columns: Record<string, ColumnData>,
): boolean {
  const tree = parquetSchema(metadata);
  const paths = new Map(wanted.map((name) => [name, getTreePath(tree, [name])]));
  for (const path of paths.values()) if (!isFlatColumn(path) || path.length !== 2) return false;
  const parse = { ...DEFAULT_PARSERS, ...parsers };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupRows = Number(group.num_rows);
    const chunks = new Map<string, ColumnChunk>();
    for (const chunk of group.columns) if (chunk.meta_data) chunks.set(chunk.meta_data.path_in_schema.join('.'), chunk);
    for (const name of wanted) {
      const meta = chunks.get(name)?.meta_data;
      if (!meta) continue; // absent from this row group: stays null
      const schemaPath = paths.get(name)!;
      const decoder: ColumnDecoder = {
        pathInSchema: meta.path_in_schema,
        type: meta.type,
        element: schemaPath[1].element,
        schemaPath,
        codec: meta.codec,
        parsers: parse,
        compressors,
      };
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset); // 0 = none, as hyparquet reads it
      const end = start + Number(meta.total_compressed_size);
      const reader = { view, offset: start };
      const out = columns[name];
      let dictionary: DecodedArray | undefined;
      let row = 0;
      while (row < groupRows && reader.offset < end) {
        const header = parquetHeader(reader);
        const page = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
        reader.offset += header.compressed_page_size;
        if (header.type === 'DICTIONARY_PAGE') {
          const plain = decompressPage(page, header.uncompressed_page_size, meta.codec, compressors);
          const count = header.dictionary_page_header!.num_values;
          dictionary = convert(
            readPlain(
              { view: new DataView(plain.buffer, plain.byteOffset, plain.byteLength), offset: 0 },
              meta.type,
              count,
              decoder.element.type_length,
            ),
            decoder,
          );
        } else if (header.type === 'DATA_PAGE_V2') {
          const pageHeader = header.data_page_header_v2!;
          const { definitionLevels, dataPage } = readDataPageV2(page, header, decoder);
          scatter(
            out,
            groupStart + row,
            convertWithDictionary(dataPage, dictionary, pageHeader.encoding, decoder),
            definitionLevels,
            pageHeader.num_rows,
          );
          row += pageHeader.num_rows;
        } else if (header.type === 'DATA_PAGE') {
          const pageHeader = header.data_page_header!;
          const plain = decompressPage(page, header.uncompressed_page_size, meta.codec, compressors);
          const { definitionLevels, dataPage } = readDataPage(plain, pageHeader, decoder);
          scatter(
            out,
            groupStart + row,
            convertWithDictionary(dataPage, dictionary, pageHeader.encoding, decoder),
            definitionLevels,
            pageHeader.num_values,
          );
          row += pageHeader.num_values;
        } // other page types (index pages) carry no rows
      }
    }
    groupStart += groupRows;
  }
  return true;
}

/** hyparquet's column scan, for files with nested columns (never written by lib/parquet). */
async function readScan(
  file: AsyncBuffer,
  metadata: FileMetaData,
  wanted: string[],
  columns: Record<string, ColumnData>,
): Promise<void> {
  const scan = await parquetScan({ file, metadata, columns: wanted, parsers: parsers, compressors });
  for (const { rowStart, rowEnd } of scan.ranges) {
    for (const name of wanted) {
      const data = (await scan.readColumn({ column: name, rowStart, rowEnd })) as ArrayLike<unknown>;
      scatter(columns[name], rowStart, data, undefined, data.length);
    }
  }
}

/**
 * A file that is in the lake but is not readable as its dataset's Parquet (truncated, empty, not Parquet, a
 * required column missing). Failures to fetch it (network, permissions) are not this: they stay the store's
 * errors, so a retry can cure them.
 */
export class UnreadableFileError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${key}: ${reason}`);
    this.name = 'UnreadableFileError';
  }
}

export async function readTable(store: ObjectStore, spec: DatasetSpec, key: string): Promise<Table> {
  const bytes = await store.get(key);
  try {
    return await readParquet(spec, bytes, key);
  } catch (err) {
    // The footer check words the usual damage plainly; anything else keeps the decoder's own message.
    const message = (err as Error).message;
    const own = message.startsWith(`${key}: `) ? message.slice(key.length + 2) : message;
    throw new UnreadableFileError(key, parquetBytesProblem(bytes) ?? own);
  }
}

/** Rows of several files, concatenated in the order given. */
export async function readTables(store: ObjectStore, spec: DatasetSpec, keys: readonly string[]): Promise<Table> {
  const tables: Table[] = [];
  for (const key of keys) tables.push(await readTable(store, spec, key));
  return Table.concat(spec, tables);
}

export interface SkippedFile {
  key: string;
  reason: string;
}

/**
 * Like readTables, but a file that is not readable Parquet is left out and returned in `skipped` (and passed to
 * `onSkip` as it happens), so one bad file does not cost the rows of all the others. Store errors still throw.
 */
export async function readReadableTables(
  store: ObjectStore,
  spec: DatasetSpec,
  keys: readonly string[],
  onSkip?: (skipped: SkippedFile) => void,
): Promise<{ table: Table; skipped: SkippedFile[] }> {
  const tables: Table[] = [];
  const skipped: SkippedFile[] = [];
  for (const key of keys) {
    try {
      tables.push(await readTable(store, spec, key));
    } catch (err) {
      if (!(err instanceof UnreadableFileError)) throw err;
      const file = { key, reason: err.reason };
      skipped.push(file);
      onSkip?.(file);
    }
  }
  return { table: Table.concat(spec, tables), skipped };
}
