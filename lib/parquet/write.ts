import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DecodedArray } from 'hyparquet';
import { ByteWriter, ParquetWriter, fileWriter, type Writer } from 'hyparquet-writer';
import { parquetSchema } from '../schema/derive/parquet-schema';
import type { ColumnSpec } from '../schema/types';
import type { ObjectStore } from '../storage/object-store';
import type { ColumnData, Table } from '../table/table';

/**
 * Parquet encoding of registry tables with hyparquet-writer (chosen by benchmark, docs/decisions.md): pure
 * JavaScript, so the same code runs in the CLI, an esbuild-bundled Lambda and the Fargate image. Files are
 * snappy-compressed with logical TIMESTAMP types. Row groups are converted one at a time, so a write holds the
 * table plus one row group's converted values, never a second copy of the partition.
 */

export const DEFAULT_ROW_GROUP = 100_000;
/** Tables larger than this are encoded to a temporary file and uploaded from it. */
const IN_MEMORY_LIMIT_ROWS = 200_000;

export interface ParquetOptions {
  rowGroupSize?: number;
  /** Extra key-value metadata stored in the footer (e.g. build info). */
  metadata?: Record<string, string>;
}

/** Column values of rows [start, end) in the physical form hyparquet-writer expects. */
function physical(c: ColumnSpec, data: ColumnData, start: number, end: number): DecodedArray {
  if (data instanceof Float64Array) {
    const slice = data.subarray(start, end);
    let hasNull = false;
    for (let i = 0; i < slice.length; i++) if (Number.isNaN(slice[i])) { hasNull = true; break; }
    if (hasNull && !c.nullable) throw new Error(`column ${c.name} is required but holds nulls`);
    switch (c.type) {
      case 'double':
        return hasNull ? Array.from(slice, (v) => (Number.isNaN(v) ? null : v)) : slice;
      case 'int32':
        return hasNull ? Array.from(slice, (v) => (Number.isNaN(v) ? null : v)) : Int32Array.from(slice);
      default: // int64 and timestamp: 64-bit integers
        if (hasNull) return Array.from(slice, (v) => (Number.isNaN(v) ? null : BigInt(v)));
        return BigInt64Array.from(slice, (v) => BigInt(v));
    }
  }
  const slice = data.slice(start, end);
  if (!c.nullable && slice.some((v) => v === null || v === undefined)) throw new Error(`column ${c.name} is required but holds nulls`);
  return slice;
}

async function encodeInto(table: Table, writer: Writer, opts: ParquetOptions): Promise<void> {
  const spec = table.spec;
  const kv = { 'crypto-lakehouse.dataset': `${spec.layer}/${spec.name}`, ...opts.metadata };
  const pq = new ParquetWriter({
    writer, schema: parquetSchema(spec), codec: 'SNAPPY', createdBy: 'crypto-lakehouse',
    kvMetadata: Object.entries(kv).map(([key, value]) => ({ key, value })),
  });
  const groupSize = opts.rowGroupSize ?? DEFAULT_ROW_GROUP;
  for (let start = 0; start < table.length; start += groupSize) {
    const end = Math.min(table.length, start + groupSize);
    const columnData = spec.columns.map((c) => ({ name: c.name, data: physical(c, table.columns[c.name], start, end) }));
    await pq.write({ columnData, rowGroupSize: end - start });
  }
  await pq.finish();
}

export async function encodeParquet(table: Table, opts: ParquetOptions = {}): Promise<Uint8Array> {
  const writer = new ByteWriter();
  await encodeInto(table, writer, opts);
  return writer.getBytes();
}

export async function writeParquetFile(table: Table, file: string, opts: ParquetOptions = {}): Promise<void> {
  await encodeInto(table, fileWriter(file), opts);
}

/** Write `table` as the object `key`, atomically replacing any previous object. Returns the file size. */
export async function putTable(store: ObjectStore, key: string, table: Table, opts: ParquetOptions = {}): Promise<number> {
  if (table.length <= IN_MEMORY_LIMIT_ROWS) {
    const bytes = await encodeParquet(table, opts);
    await store.put(key, bytes);
    return bytes.byteLength;
  }
  const tmp = path.join(os.tmpdir(), `lakehouse-${randomUUID()}.parquet`);
  try {
    await writeParquetFile(table, tmp, opts);
    const { size } = await fs.stat(tmp);
    await store.putFile(key, tmp);
    return size;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}
