import { randomUUID } from 'node:crypto';
import { putTable } from '../parquet/write';
import { bronzeFileKey } from '../storage/lake-paths';
import type { ObjectStore } from '../storage/object-store';
import type { BufferedPartition } from './bronze-buffers';

/** Writes buffered partitions as Bronze Parquet files: one new, immutable file per partition per flush. */

export interface WrittenFile {
  key: string;
  rows: number;
  bytes: number;
}

export async function writeBronze(store: ObjectStore, parts: readonly BufferedPartition[], fileId: (p: BufferedPartition) => string = () => randomUUID()): Promise<WrittenFile[]> {
  const out: WrittenFile[] = [];
  for (const p of parts) {
    const key = bronzeFileKey(p.spec, p.values, p.startMs, fileId(p));
    const bytes = await putTable(store, key, p.table);
    out.push({ key, rows: p.table.length, bytes });
  }
  return out;
}
