import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DecodedArray } from 'hyparquet';
import { ByteWriter, ParquetWriter, fileWriter, type Writer } from 'hyparquet-writer';
import { parquetSchema } from '../schema/derive/parquet-schema';
import type { ColumnSpec, DatasetSpec } from '../schema/types';
import type { ObjectStore } from '../storage/object-store';
import type { ColumnData, Table } from '../table/table';

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
export const PARQUET_CODEC = 'GZIP';
const GZIP_LEVEL = 1;
const compressors = { GZIP: (bytes: Uint8Array): Uint8Array => gzipSync(bytes, { level: GZIP_LEVEL }) };

export interface ParquetOptions {
  rowGroupSize?: number;
  /** Extra key-value metadata stored in the footer (e.g. build info). */
  metadata?: Record<string, string>;
}

/** Min, max and null count of a numeric column chunk, as hyparquet-writer stores them in the footer. */
interface ChunkStats {
  min_value?: number | bigint;
  max_value?: number | bigint;
  null_count: bigint;
  nan_count?: bigint;
}

/**
 * Column values of rows [start, end) in the physical form hyparquet-writer expects, and for numeric columns
 * their statistics, found in the same pass that looks for nulls. hyparquet-writer's own statistics compare
 * every value through a generic comparison (BigInts for int64 and timestamps): about a tenth of encoding.
 */
function physical(
  column: ColumnSpec,
  data: ColumnData,
  start: number,
  end: number,
): { values: DecodedArray; stats?: ChunkStats } {
  if (data instanceof Float64Array) {
    const slice = data.subarray(start, end);
    const count = slice.length;
    let nulls = 0;
    let min = Infinity,
      max = -Infinity;
    for (let i = 0; i < count; i++) {
      const value = slice[i];
      if (value !== value) nulls++;
      else {
        if (value < min) min = value;
        if (value > max) max = value;
      }
    }
    if (nulls && !column.nullable) throw new Error(`column ${column.name} is required but holds nulls`);
    const any = nulls < count;
    const stats: ChunkStats = { null_count: BigInt(nulls) };
    const boxed = <T>(convert: (value: number) => T): (T | null)[] => {
      const out = new Array<T | null>(count);
      for (let i = 0; i < count; i++) {
        const value = slice[i];
        out[i] = value !== value ? null : convert(value);
      }
      return out;
    };
    switch (column.type) {
      case 'double':
        // Parquet orders -0 before +0: a zero minimum is written as -0, a zero maximum as +0.
        if (any) {
          stats.min_value = min === 0 ? -0 : min;
          stats.max_value = max === 0 ? 0 : max;
        }
        stats.nan_count = 0n; // NaN is our null, so a double column never holds a NaN value
        return { values: nulls ? boxed((v) => v) : slice, stats };
      case 'int32':
        if (any) {
          stats.min_value = min;
          stats.max_value = max;
        }
        return { values: nulls ? boxed((v) => v) : Int32Array.from(slice), stats };
      default: {
        // int64 and timestamp: 64-bit integers
        if (any) {
          stats.min_value = BigInt(min);
          stats.max_value = BigInt(max);
        }
        if (nulls) return { values: boxed((v) => BigInt(v)), stats };
        const out = new BigInt64Array(count);
        for (let i = 0; i < count; i++) out[i] = BigInt(slice[i]);
        return { values: out, stats };
      }
    }
  }
  const slice = data.slice(start, end);
  if (!column.nullable && slice.some((v) => v === null || v === undefined))
    throw new Error(`column ${column.name} is required but holds nulls`);
  return { values: slice };
}

/**
 * A Parquet file written row group by row group, for writers that hold one group of rows at a time rather than the
 * whole table (lib/history/archive-file-import.ts streams a day of trades this way). Groups written through it are
 * byte for byte what encodeInto writes for the same rows cut into the same groups.
 */
export class ParquetGroupWriter {
  private readonly pq: ParquetWriter;

  constructor(
    readonly spec: DatasetSpec,
    writer: Writer,
    opts: ParquetOptions = {},
  ) {
    const kv = { 'crypto-lakehouse.dataset': `${spec.layer}/${spec.name}`, ...opts.metadata };
    this.pq = new ParquetWriter({
      writer,
      schema: parquetSchema(spec),
      codec: PARQUET_CODEC,
      compressors,
      createdBy: 'crypto-lakehouse',
      kvMetadata: Object.entries(kv).map(([key, value]) => ({ key, value })),
    });
  }

  /** Rows [start, end) of `table` as one row group. */
  async writeGroup(table: Table, start: number, end: number): Promise<void> {
    const spec = this.spec;
    const chunks = spec.columns.map((c) => physical(c, table.columns[c.name], start, end));
    // Numeric statistics are ours (above); strings and booleans keep hyparquet-writer's. pageSize 0 writes each
    // column chunk as one page (100,000 values; 1 MB pages split only string chunks) and skips a per-value size
    // estimate.
    const columnData = spec.columns.map((c, j) => ({ name: c.name, data: chunks[j].values, statistics: !chunks[j].stats }));
    await this.pq.write({ columnData, rowGroupSize: end - start, pageSize: 0 });
    const written = this.pq.row_groups[this.pq.row_groups.length - 1].columns;
    chunks.forEach((ch, j) => {
      if (ch.stats) written[j].meta_data!.statistics = ch.stats;
    });
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
