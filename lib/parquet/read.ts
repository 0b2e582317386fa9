import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData } from 'hyparquet';
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

export async function readParquet(spec: DatasetSpec, bytes: Uint8Array, source = 'parquet file'): Promise<Table> {
  const file = bufferOf(bytes);
  const metadata: FileMetaData = await parquetMetadataAsync(file);
  const length = Number(metadata.num_rows);
  const present = new Set(metadata.schema.slice(1).map((s) => s.name));
  const wanted = spec.columns.filter((c) => present.has(c.name)).map((c) => c.name);
  for (const c of spec.columns) {
    if (!present.has(c.name) && !c.nullable) throw new Error(`${source}: required column ${c.name} is missing`);
  }
  const chunks = new Map<string, { start: number; data: ArrayLike<unknown> }[]>();
  if (length > 0 && wanted.length > 0) {
    await parquetRead({
      file, metadata, columns: wanted, parsers: parsers as never,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const list = chunks.get(columnName) ?? [];
        list.push({ start: rowStart, data: columnData as ArrayLike<unknown> });
        chunks.set(columnName, list);
      },
    });
  }
  const columns: Record<string, ColumnData> = {};
  for (const c of spec.columns) {
    const parts = chunks.get(c.name) ?? [];
    if (isNumericType(c.type)) {
      const out = new Float64Array(length).fill(NaN);
      for (const { start, data } of parts) {
        for (let i = 0; i < data.length && start + i < length; i++) {
          const v = data[i];
          out[start + i] = v === null || v === undefined ? NaN : Number(v as number | bigint);
        }
      }
      columns[c.name] = out;
    } else {
      const out: unknown[] = new Array(length).fill(null);
      for (const { start, data } of parts) {
        for (let i = 0; i < data.length && start + i < length; i++) out[start + i] = data[i] ?? null;
      }
      columns[c.name] = out as ColumnData;
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
