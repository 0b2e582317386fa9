import { parquetMetadata, type FileMetaData } from 'hyparquet';

/**
 * A cheap test of whether bytes can be a Parquet file, from the end of the file only: the trailing `PAR1` magic,
 * a footer length that fits the file, a footer that decodes, and column chunks that lie inside the file. It
 * catches what an interrupted copy, a zero-byte placeholder or a stray text file leave behind, at the cost of
 * reading the footer (usually a few KiB), not the data. Damage inside a data page with an intact footer gets
 * past it; the readers name such a file when they meet it (docs/bad-files.md).
 */

const MAGIC = 0x31524150; // "PAR1", little-endian
/** Bytes read from the end of a file on the first try: the footer of every file the lake writes fits in it. */
export const TAIL_BYTES = 64 * 1024;

/** `tail` is the last `tail.length` bytes of a file of `size` bytes (the whole file when they are equal). */
export type FooterCheck = { ok: true } | { ok: false; reason: string } | { needTail: number };

export function checkParquetTail(tail: Uint8Array, size: number): FooterCheck {
  if (size === 0) return { ok: false, reason: 'empty file (0 bytes)' };
  if (size < 12) return { ok: false, reason: `too short for Parquet (${size} bytes)` };
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  if (tail.byteLength < 8) return { needTail: 8 };
  if (view.getUint32(tail.byteLength - 4, true) !== MAGIC) {
    return { ok: false, reason: 'no Parquet footer (PAR1) at the end: truncated, or not a Parquet file' };
  }
  const footerLength = view.getUint32(tail.byteLength - 8, true);
  if (footerLength + 12 > size) {
    return { ok: false, reason: `footer length ${footerLength} exceeds the file (${size} bytes): truncated or corrupt` };
  }
  if (footerLength + 8 > tail.byteLength) return { needTail: footerLength + 8 };
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(tail.subarray(tail.byteLength - footerLength - 8));
  } catch (err) {
    return { ok: false, reason: `footer does not decode (${(err as Error).message})` };
  }
  const dataEnd = size - footerLength - 8;
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (!meta) continue;
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      if (start < 4 || start + Number(meta.total_compressed_size) > dataEnd) {
        return { ok: false, reason: `column ${meta.path_in_schema.join('.')} lies outside the file: truncated or corrupt` };
      }
    }
  }
  return { ok: true };
}

/** Why a whole file's bytes are not readable Parquet, or undefined when its footer is sound. */
export function parquetBytesProblem(bytes: Uint8Array): string | undefined {
  const tail = checkParquetTail(bytes, bytes.byteLength);
  return 'reason' in tail ? tail.reason : undefined;
}
