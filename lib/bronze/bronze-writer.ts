import { randomUUID } from 'node:crypto';
import { encodeParquet, putTable } from '../parquet/write';
import { bronzeFileKey } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import type { BufferedPartition } from './bronze-buffers';

/** Writes buffered partitions as Bronze Parquet files: one new, immutable file per partition per flush. */

/**
 * Where uploadBronze hands a file: the collector's spooling BronzeUploader (lib/collector/bronze-uploader.ts).
 * Declared here by shape, so Bronze does not depend on the collector that uses it.
 */
export interface BronzeUploadTarget {
  /** 'uploaded' when the file reached the store; any other outcome means it waits in a local spool. */
  upload(key: string, body: Uint8Array): Promise<string>;
}

export interface WrittenFile {
  key: string;
  rows: number;
  bytes: number;
  /** True when the store was down and the file waits in the local spool for its upload. */
  spooled?: boolean;
}

type FileId = (part: BufferedPartition) => string;

export async function writeBronze(
  store: ObjectStore,
  parts: readonly BufferedPartition[],
  fileId: FileId = () => randomUUID(),
): Promise<WrittenFile[]> {
  const out: WrittenFile[] = [];
  for (const part of parts) {
    const key = bronzeFileKey(part.spec, part.values, part.startMs, fileId(part));
    const bytes = await putTable(store, key, part.table);
    out.push({ key, rows: part.table.length, bytes });
  }
  return out;
}

/**
 * Same files through the spooling uploader: a store outage parks them on local disk instead of failing, and the
 * uploader re-uploads them when the store is back. Bronze flushes are at most an hour of one stream, small
 * enough to encode in memory.
 */
export async function uploadBronze(
  uploader: BronzeUploadTarget,
  parts: readonly BufferedPartition[],
  fileId: FileId = () => randomUUID(),
): Promise<WrittenFile[]> {
  const out: WrittenFile[] = [];
  for (const part of parts) {
    const key = bronzeFileKey(part.spec, part.values, part.startMs, fileId(part));
    const bytes = await encodeParquet(part.table);
    const outcome = await uploader.upload(key, bytes);
    out.push({ key, rows: part.table.length, bytes: bytes.byteLength, spooled: outcome !== 'uploaded' });
  }
  return out;
}
