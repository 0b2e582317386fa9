import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Local files that a reader (a health check, the next start, spool recovery) must never see half-written: the
 * bytes go to a temporary file in the same folder, which is renamed over the target, so the target is either
 * the old file or the whole new one.
 */

export interface AtomicWriteOptions {
  /**
   * Marks the temporary file, `.<name>.<tag>.tmp` beside the target (default: the process id). A folder whose
   * leftovers are cleaned by tag (the Bronze spool) passes its owner's tag, so a write in progress is never
   * taken for a leftover.
   */
  tag?: string;
  /**
   * fsync the bytes before the rename (default false). Without it a power cut may leave an empty target after
   * the rename; with it the write costs a disk flush. Worth it for data only held here (the spool), not for a
   * file rewritten every few seconds (the heartbeat).
   */
  sync?: boolean;
}

/** The temporary name `writeFileAtomic` uses for `dest`. */
export function atomicTempPath(dest: string, tag: string): string {
  return path.join(path.dirname(dest), `.${path.basename(dest)}.${tag}.tmp`);
}

/**
 * Writes `data` to `dest` through a temporary file and a rename. The folder must exist. On failure the
 * temporary file is removed and the error thrown; `dest` is then unchanged.
 */
export async function writeFileAtomic(dest: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const tmp = atomicTempPath(dest, options.tag ?? String(process.pid));
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      if (options.sync) await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, dest);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Makes renames in `dir` durable. Not every platform can open a folder, so this is best effort. */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}
