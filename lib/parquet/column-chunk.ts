import type { ColumnChunk, Encoding, SchemaElement, Statistics } from 'hyparquet';
import { ByteWriter, type Writer } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import type { ColumnSpec } from '../schema/types';
import type { ColumnData } from '../table/table';

/**
 * One column chunk of a registry table (flat, one page, data page V2) encoded straight from the table's typed
 * columns. hyparquet-writer's generic path boxes every int64 as a BigInt, range-checks and compares BigInts, and
 * builds a dictionary attempt from JavaScript values: at 100,000 rows per group that was most of the CPU of writing a
 * trades day (docs/decisions.md, "History import speed"). The pages are the ones hyparquet-writer writes for the same
 * schema: PLAIN, RLE for booleans, RLE_DICTIONARY when a dictionary at most halves the values' bytes, definition
 * levels as RLE/bit-packed hybrid; its page-header and RLE writers are reused, and its ParquetWriter writes the footer.
 */

export type Compress = (bytes: Uint8Array) => Uint8Array;

export interface EncodedChunk {
  chunk: ColumnChunk;
}

/** Sampled values whose distinct bytes exceed this share of their bytes are not worth a dictionary (as hyparquet-writer). */
const SAMPLE_REJECTION_RATIO = 0.9;
const DICTIONARY_SAMPLE = 1000;
const TWO_32 = 4294967296;
const textEncoder = new TextEncoder();

/** Footer statistics; nan_count is the newer field that hyparquet's type does not list yet. */
type Stats = Statistics & { null_count: bigint; nan_count?: bigint };

/** Rows [start, end) of `data` as one column chunk appended to `writer`. */
export function writeColumnChunk(
  writer: Writer,
  column: ColumnSpec,
  element: SchemaElement,
  data: ColumnData,
  start: number,
  end: number,
  codec: 'GZIP',
  compress: Compress,
): EncodedChunk {
  const count = end - start;
  const offsetStart = writer.offset;
  const present = presence(column, data, start, end);
  const nonNull = count - present.nulls;
  const levels = new ByteWriter();
  if (column.nullable) writeDefinitionLevels(levels, present.mask, count, present.nulls);

  const values = new ByteWriter();
  let encoding: Encoding;
  let dictionaryPageOffset: bigint | undefined;
  let uncompressed = 0;
  const stats: Stats = { null_count: BigInt(present.nulls) };
  const dictionary = column.type === 'boolean' ? undefined : buildDictionary(column, data, start, end, nonNull);
  if (dictionary) {
    dictionaryPageOffset = BigInt(writer.offset);
    const page = new ByteWriter();
    writePlainValues(page, column, dictionary.values, 0, dictionary.values.length, undefined);
    uncompressed += writeCompressedPage(writer, page.getBytes(), compress, (size, compressed) => ({
      type: 'DICTIONARY_PAGE',
      uncompressed_page_size: size,
      compressed_page_size: compressed,
      dictionary_page_header: { num_values: dictionary.values.length, encoding: 'PLAIN' },
    }));
    const bitWidth = Math.ceil(Math.log2(dictionary.values.length));
    values.appendUint8(bitWidth);
    writeRleBitPackedHybrid(values, dictionary.indexes, bitWidth);
    encoding = 'RLE_DICTIONARY';
  } else if (column.type === 'boolean') {
    const bits = new Uint8Array(nonNull);
    const bools = data as (boolean | null)[];
    let k = 0;
    for (let i = start; i < end; i++) if (bools[i] !== null && bools[i] !== undefined) bits[k++] = bools[i] ? 1 : 0;
    if (nonNull > 16) {
      const rle = new ByteWriter();
      writeRleBitPackedHybrid(rle, bits, 1);
      values.appendUint32(rle.offset);
      values.appendBytes(rle.getBytes());
      encoding = 'RLE';
    } else {
      writePackedBooleans(values, bits);
      encoding = 'PLAIN';
    }
  } else {
    writePlainValues(values, column, data, start, end, present.mask);
    encoding = 'PLAIN';
  }
  Object.assign(stats, statistics(column, data, start, end, dictionary?.values));

  const dataPageOffset = BigInt(writer.offset);
  const levelBytes = levels.getBytes();
  const valueBytes = values.getBytes();
  const compressed = compress(valueBytes);
  const headerStart = writer.offset;
  writePageHeader(writer, {
    type: 'DATA_PAGE_V2',
    uncompressed_page_size: levelBytes.length + valueBytes.length,
    compressed_page_size: levelBytes.length + compressed.length,
    data_page_header_v2: {
      num_values: count,
      num_nulls: present.nulls,
      num_rows: count,
      encoding,
      definition_levels_byte_length: levelBytes.length,
      repetition_levels_byte_length: 0,
      is_compressed: true,
    },
  });
  uncompressed += writer.offset - headerStart + levelBytes.length + valueBytes.length;
  writer.appendBytes(levelBytes);
  writer.appendBytes(compressed);

  const encodings: Encoding[] = dictionary ? ['PLAIN', encoding] : [encoding];
  return {
    chunk: {
      meta_data: {
        type: element.type!,
        encodings,
        path_in_schema: [column.name],
        codec,
        num_values: BigInt(count),
        total_compressed_size: BigInt(writer.offset - offsetStart),
        total_uncompressed_size: BigInt(uncompressed),
        data_page_offset: dataPageOffset,
        dictionary_page_offset: dictionaryPageOffset,
        statistics: stats,
        encoding_stats: [
          ...(dictionary ? [{ page_type: 'DICTIONARY_PAGE' as const, encoding: 'PLAIN' as const, count: 1 }] : []),
          { page_type: 'DATA_PAGE_V2' as const, encoding, count: 1 },
        ],
      },
      file_offset: BigInt(offsetStart),
    },
  };
}

/** Null count and, when there are nulls, which rows hold a value. NaN is a number column's null. */
function presence(
  column: ColumnSpec,
  data: ColumnData,
  start: number,
  end: number,
): { nulls: number; mask: Uint8Array | undefined } {
  let nulls = 0;
  if (data instanceof Float64Array) {
    for (let i = start; i < end; i++) if (data[i] !== data[i]) nulls++;
  } else {
    for (let i = start; i < end; i++) if (data[i] === null || data[i] === undefined) nulls++;
  }
  if (nulls === 0) return { nulls, mask: undefined };
  if (!column.nullable) throw new Error(`column ${column.name} is required but holds nulls`);
  const mask = new Uint8Array(end - start);
  if (data instanceof Float64Array) {
    for (let i = start; i < end; i++) mask[i - start] = data[i] === data[i] ? 1 : 0;
  } else {
    for (let i = start; i < end; i++) mask[i - start] = data[i] === null || data[i] === undefined ? 0 : 1;
  }
  return { nulls, mask };
}

/** Definition levels (bit width 1) of an optional column: one RLE run when nothing is null. */
function writeDefinitionLevels(writer: ByteWriter, mask: Uint8Array | undefined, count: number, nulls: number): void {
  if (nulls === 0) {
    writer.appendVarInt(count << 1);
    writer.appendUint8(1);
    return;
  }
  writeRleBitPackedHybrid(writer, mask!, 1);
}

/** PLAIN values of rows [start, end) (of the dictionary when `mask` is undefined and no row is null). */
function writePlainValues(
  writer: ByteWriter,
  column: ColumnSpec,
  data: ColumnData | readonly (number | string)[],
  start: number,
  end: number,
  mask: Uint8Array | undefined,
): void {
  const has = (i: number) => !mask || mask[i - start] === 1;
  switch (column.type) {
    case 'double': {
      if (data instanceof Float64Array && !mask) {
        writer.appendBytes(new Uint8Array(data.buffer, data.byteOffset + start * 8, (end - start) * 8));
        return;
      }
      const out = new Float64Array(end - start);
      let k = 0;
      for (let i = start; i < end; i++) if (has(i)) out[k++] = data[i] as number;
      writer.appendBytes(new Uint8Array(out.buffer, 0, k * 8));
      return;
    }
    case 'int32': {
      const out = new Int32Array(end - start);
      let k = 0;
      for (let i = start; i < end; i++) if (has(i)) out[k++] = data[i] as number;
      writer.appendBytes(new Uint8Array(out.buffer, 0, k * 4));
      return;
    }
    case 'int64':
    case 'timestamp': {
      // Little-endian halves: integers up to 2^53 need no BigInt.
      const out = new Int32Array((end - start) * 2);
      let k = 0;
      for (let i = start; i < end; i++) {
        if (!has(i)) continue;
        const value = data[i] as number;
        const high = Math.floor(value / TWO_32);
        out[k++] = (value - high * TWO_32) | 0;
        out[k++] = high;
      }
      writer.appendBytes(new Uint8Array(out.buffer, 0, k * 4));
      return;
    }
    case 'string': {
      for (let i = start; i < end; i++) {
        if (!has(i)) continue;
        const bytes = textEncoder.encode(data[i] as string);
        writer.appendUint32(bytes.length);
        writer.appendBytes(bytes);
      }
      return;
    }
    case 'boolean':
      throw new Error('booleans are written bit-packed, not through writePlainValues');
  }
}

function writePackedBooleans(writer: ByteWriter, bits: Uint8Array): void {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) if (bits[i]) out[i >> 3] |= 1 << (i & 7);
  writer.appendBytes(out);
}

function valueBytes(column: ColumnSpec, value: number | string): number {
  if (column.type === 'string') return 4 + (value as string).length;
  return column.type === 'int32' ? 4 : 8;
}

/**
 * The column's dictionary and each present row's index into it, when a dictionary at most halves the values' bytes
 * (a sample spread over the chunk first rejects columns that plainly lose, as hyparquet-writer does).
 */
function buildDictionary(
  column: ColumnSpec,
  data: ColumnData,
  start: number,
  end: number,
  nonNull: number,
): { values: (number | string)[]; indexes: Int32Array } | undefined {
  const count = end - start;
  if (nonNull === 0) return undefined;
  const isNull = (value: unknown) => value === null || value === undefined || value !== value;
  const sample = Math.min(count, DICTIONARY_SAMPLE);
  const seen = new Set<number | string>();
  let sampleDistinct = 0;
  let sampleTotal = 0;
  for (let k = 0; k < sample; k++) {
    const value = data[start + (sample === 1 ? 0 : Math.floor((k * (count - 1)) / (sample - 1)))] as number | string | null;
    if (isNull(value)) continue;
    const size = valueBytes(column, value!);
    sampleTotal += size;
    if (!seen.has(value!)) {
      seen.add(value!);
      sampleDistinct += size;
    }
  }
  if (!sampleTotal || sampleDistinct / sampleTotal > SAMPLE_REJECTION_RATIO) return undefined;
  if (data instanceof Float64Array) return numberDictionary(data, start, end, nonNull);
  const index = new Map<number | string, number>();
  const values: (number | string)[] = [];
  const indexes = new Int32Array(nonNull);
  let distinctBytes = 0;
  let totalBytes = 0;
  let k = 0;
  for (let i = start; i < end; i++) {
    const value = data[i] as number | string | null;
    if (isNull(value)) continue;
    let at = index.get(value!);
    const size = valueBytes(column, value!);
    totalBytes += size;
    if (at === undefined) {
      at = values.length;
      values.push(value!);
      index.set(value!, at);
      distinctBytes += size;
    }
    indexes[k++] = at;
  }
  if (distinctBytes > totalBytes / 2) return undefined;
  return { values, indexes };
}

const bitsOf = new Float64Array(1);
const wordsOf = new Uint32Array(bitsOf.buffer);

/**
 * buildDictionary's full pass for a number column: an open-addressing table keyed by the value (a Map boxes every
 * double and was a tenth of writing a trades row group). Every value is 8 bytes in PLAIN, so the dictionary wins
 * only while fewer than half the values are distinct, and the pass stops as soon as that fails.
 */
function numberDictionary(
  data: Float64Array,
  start: number,
  end: number,
  nonNull: number,
): { values: number[]; indexes: Int32Array } | undefined {
  const limit = nonNull / 2;
  let size = 16;
  while (size < nonNull * 2) size *= 2;
  const mask = size - 1;
  const keys = new Float64Array(size);
  const slots = new Int32Array(size).fill(-1);
  const values: number[] = [];
  const indexes = new Int32Array(nonNull);
  let k = 0;
  for (let i = start; i < end; i++) {
    const value = data[i];
    if (value !== value) continue;
    bitsOf[0] = value;
    // -0 and 0 hash apart and stay two entries, so each is written as it was.
    let slot = (Math.imul(wordsOf[0] ^ Math.imul(wordsOf[1], 0x9e3779b1), 0x85ebca6b) >>> 0) & mask;
    let at = slots[slot];
    while (at !== -1 && !(keys[slot] === value && Object.is(keys[slot], value))) {
      slot = (slot + 1) & mask;
      at = slots[slot];
    }
    if (at === -1) {
      at = values.length;
      if (at + 1 > limit) return undefined;
      values.push(value);
      keys[slot] = value;
      slots[slot] = at;
    }
    indexes[k++] = at;
  }
  return { values, indexes };
}

/** Footer statistics of the chunk: min, max (and NaN count for doubles); -0 as a minimum, +0 as a maximum. */
function statistics(
  column: ColumnSpec,
  data: ColumnData,
  start: number,
  end: number,
  dictionary: readonly (number | string)[] | undefined,
): Omit<Stats, 'null_count'> {
  if (column.type === 'string') {
    let min: string | undefined;
    let max: string | undefined;
    const each = (value: string | null | undefined) => {
      if (value === null || value === undefined) return;
      if (min === undefined || value < min) min = value;
      if (max === undefined || value > max) max = value;
    };
    if (dictionary) for (const value of dictionary) each(value as string);
    else for (let i = start; i < end; i++) each(data[i] as string | null);
    return { min_value: min, max_value: max };
  }
  if (column.type === 'boolean') {
    let anyTrue = false;
    let anyFalse = false;
    for (let i = start; i < end; i++) {
      if (data[i] === true) anyTrue = true;
      else if (data[i] === false) anyFalse = true;
    }
    if (!anyTrue && !anyFalse) return {};
    return { min_value: !anyFalse, max_value: anyTrue };
  }
  const numbers = data as Float64Array;
  let min = Infinity;
  let max = -Infinity;
  for (let i = start; i < end; i++) {
    const value = numbers[i];
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const any = min <= max;
  const out: Omit<Stats, 'null_count'> = column.type === 'double' ? { nan_count: 0n } : {};
  if (!any) return out;
  if (column.type === 'double') {
    out.min_value = min === 0 ? -0 : min;
    out.max_value = max === 0 ? 0 : max;
  } else if (column.type === 'int32') {
    out.min_value = min;
    out.max_value = max;
  } else {
    out.min_value = BigInt(min);
    out.max_value = BigInt(max);
  }
  return out;
}

function writeCompressedPage(
  writer: Writer,
  bytes: Uint8Array,
  compress: Compress,
  header: (uncompressed: number, compressed: number) => Parameters<typeof writePageHeader>[1],
): number {
  const compressed = compress(bytes);
  const headerStart = writer.offset;
  writePageHeader(writer, header(bytes.length, compressed.length));
  const headerSize = writer.offset - headerStart;
  writer.appendBytes(compressed);
  return headerSize + bytes.length;
}
