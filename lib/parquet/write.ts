import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SchemaElement } from 'hyparquet';
import { ByteWriter, ParquetWriter, fileWriter, type Writer } from 'hyparquet-writer';
import { parquetSchema } from '../schema/derive/parquet-schema';
import type { DatasetSpec } from '../schema/types';
import type { ObjectStore } from '../storage/object-store';
import type { Table } from '../table/table';
import { writeColumnChunk } from './column-chunk';

/**
 * Parquet encoding of registry tables with hyparquet-writer (chosen by benchmark, docs/decisions.md): pure
 * JavaScript, so the same code runs in the CLI, an esbuild-bundled Lambda and the Fargate image. Files are
 * GZIP-compressed (level 1, by Node's built-in zlib) with logical TIMESTAMP types. Row groups are converted one at
 * a time, so a write holds the table plus one row group's converted values, never a second copy of the partition.
 */

export const DEFAULT_ROW_GROUP = 100_000;
/** Tables larger than this are encoded to a temporary file and uploaded from it. */
const IN_MEMORY_LIMIT_ROWS = 200_000;

/**
 * Page compression: GZIP at level 1 through node:zlib (native, built into Node, so the bundle stays pure JS).
 * On a day of book_top10 it compresses twice as fast as hyparquet-writer's JavaScript snappy and the files are
 * 28 % smaller (docs/decisions.md, "Silver day bench"). Athena, Glue and DuckDB read GZIP Parquet.
 */
export const PARQUET_CODEC = 'GZIP' as const;
const GZIP_LEVEL = 1;
const compress = (bytes: Uint8Array): Uint8Array => gzipSync(bytes, { level: GZIP_LEVEL });
const compressors = { GZIP: compress };

export interface ParquetOptions {
  rowGroupSize?: number;
  /** Extra key-value metadata stored in the footer (e.g. build info). */
  metadata?: Record<string, string>;
}

/**
 * A Parquet file written row group by row group, for writers that hold one group of rows at a time rather than the
 * whole table (lib/history/archive-file-import.ts streams a day of trades this way). Groups written through it are
 * byte for byte what encodeInto writes for the same rows cut into the same groups.
 */
export class ParquetGroupWriter {
  private readonly pq: ParquetWriter;
  private readonly elements: SchemaElement[];

  constructor(
    readonly spec: DatasetSpec,
    writer: Writer,
    opts: ParquetOptions = {},
  ) {
    const kv = { 'crypto-lakehouse.dataset': `${spec.layer}/${spec.name}`, ...opts.metadata };
    const schema = parquetSchema(spec);
    this.elements = schema.slice(1);
    this.pq = new ParquetWriter({
      writer,
      schema,
      codec: PARQUET_CODEC,
      compressors,
      createdBy: 'crypto-lakehouse',
      kvMetadata: Object.entries(kv).map(([key, value]) => ({ key, value })),
    });
  }

  /** Rows [start, end) of `table` as one row group, its column chunks encoded by writeColumnChunk. */
  async writeGroup(table: Table, start: number, end: number): Promise<void> {
    const writer = this.pq.writer;
    const groupStart = writer.offset;
    const columns = this.spec.columns.map(
      (column, j) =>
        writeColumnChunk(writer, column, this.elements[j], table.columns[column.name], start, end, PARQUET_CODEC, compress).chunk,
    );
    let totalBytes = 0n;
    for (const { meta_data } of columns) totalBytes += meta_data?.total_uncompressed_size ?? 0n;
    const rows = BigInt(end - start);
    this.pq.num_rows += rows;
    this.pq.row_groups.push({
      columns,
      total_byte_size: totalBytes,
      num_rows: rows,
      total_compressed_size: BigInt(writer.offset - groupStart),
    });
    await writer.flush?.();
  }

  async finish(): Promise<void> {
    await this.pq.finish();
  }
}

async function encodeInto(table: Table, writer: Writer, opts: ParquetOptions): Promise<void> {
  const groups = new ParquetGroupWriter(table.spec, writer, opts);
  const groupSize = opts.rowGroupSize ?? DEFAULT_ROW_GROUP;
  for (let start = 0; start < table.length; start += groupSize) {
    await groups.writeGroup(table, start, Math.min(table.length, start + groupSize));
  }
  await groups.finish();
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
