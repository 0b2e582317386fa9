import { parquetMetadataAsync, parquetScan, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { isNumericType, Table, type ColumnData } from '../table/table';
import type { DatasetSpec } from '../schema/types';
import type { ObjectStore } from '../storage/object-store';

/**
 * Reads Parquet into registry tables. Columns the file lacks (files written before a column was added) come
 * back as nulls when nullable; a missing required column is an error naming the file.
 */

export function bufferOf(bytes: Uint8Array): AsyncBuffer {
  return {
    byteLength: bytes.byteLength,
    slice: (start: number, end?: number) => bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + (end ?? bytes.byteLength)) as ArrayBuffer,
  };
}

const parsers = {
  timestampFromMilliseconds: (v: bigint) => Number(v),
  timestampFromMicroseconds: (v: bigint) => Number(v / 1000n),
  timestampFromNanoseconds: (v: bigint) => Number(v / 1_000_000n),
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
  for (const c of spec.columns) {
    if (!present.has(c.name) && !c.nullable) throw new Error(`${source}: required column ${c.name} is missing`);
  }
  const columns: Record<string, ColumnData> = {};
  for (const c of spec.columns) {
    columns[c.name] = isNumericType(c.type) ? new Float64Array(length).fill(NaN) : (new Array(length).fill(null) as ColumnData);
  }
  const wanted = spec.columns.filter((c) => present.has(c.name)).map((c) => c.name);
  if (length > 0 && wanted.length > 0) {
    const scan = await parquetScan({ file, metadata, columns: wanted, parsers: parsers as never });
    for (const { rowStart, rowEnd } of scan.ranges) {
      for (const name of wanted) {
        const data = (await scan.readColumn({ column: name, rowStart, rowEnd })) as ArrayLike<unknown>;
        const out = columns[name];
        if (out instanceof Float64Array) {
          for (let i = 0; i < data.length; i++) {
            const v = data[i];
            out[rowStart + i] = v === null || v === undefined ? NaN : Number(v as number | bigint);
          }
        } else {
          for (let i = 0; i < data.length; i++) (out as unknown[])[rowStart + i] = data[i] ?? null;
        }
      }
    }
  }
  return new Table(spec, length, columns);
}

export async function readTable(store: ObjectStore, spec: DatasetSpec, key: string): Promise<Table> {
  return readParquet(spec, await store.get(key), key);
}

/** Rows of several files, concatenated in the order given. */
export async function readTables(store: ObjectStore, spec: DatasetSpec, keys: readonly string[]): Promise<Table> {
  const tables: Table[] = [];
  for (const k of keys) tables.push(await readTable(store, spec, k));
  return Table.concat(spec, tables);
}
