import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { syncDir, writeFileAtomic } from '../util/atomic-file';

/**
 * The on-disk format of the Bronze spool (see bronze-uploader.ts). One spooled object is two files in the spool folder:
 *
 *   <id>.bin    the object's bytes, exactly as they go to the store
 *   <id>.json   {"v":1,"key":...,"size":...,"sha256":...,"createdMs":...}, written after the .bin
 *
 * `id` is `<createdMs, 15 digits>-<sequence, 9 digits>-<random>`, so sorting ids sorts spooled objects oldest
 * first. Both files are written to a temporary name (`.<name>.<owner>.tmp`), fsynced and renamed
 * (lib/util/atomic-file.ts); the sidecar's rename is the commit point: a .bin without its .json was never
 * acknowledged (a crash between the two renames, or a crash while deleting an uploaded entry) and is removed on
 * recovery, as are temporary files. A sidecar that
 * cannot be parsed, or whose .bin has the wrong size or hash, is renamed to `*.corrupt` and kept for a human:
 * nothing is deleted unless it is known to be uploaded or was never acknowledged.
 */

export interface SpoolMeta {
  v: 1;
  /** The object store key the bytes belong to. */
  key: string;
  size: number;
  sha256: string;
  createdMs: number;
}

export interface SpoolEntry extends SpoolMeta {
  id: string;
}

export interface SpoolScan {
  entries: SpoolEntry[];
  /** Temporary files from an interrupted write, removed. */
  removedTemp: number;
  /** .bin files without a sidecar (or sidecars without a .bin), removed. */
  removedOrphans: number;
  /** Entries set aside as `*.corrupt`. */
  corrupt: number;
}

const ID_RE = /^\d{15}-\d{9}-[0-9a-f]{8}$/;

export function sha256(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

export function spoolId(createdMs: number, seq: number): string {
  const created = String(Math.max(0, Math.floor(createdMs))).padStart(15, '0');
  return `${created}-${String(seq % 1e9).padStart(9, '0')}-${randomUUID().slice(0, 8)}`;
}

export const dataPath = (dir: string, id: string): string => path.join(dir, `${id}.bin`);
export const metaPath = (dir: string, id: string): string => path.join(dir, `${id}.json`);

/**
 * Spools `body` for `key` under `id`. Resolves once both files are durably in place; on failure nothing of the
 * entry is left behind and the error is thrown. `owner` tags temporary files so recovery in the same process
 * never removes a write still in progress.
 */
export async function writeSpoolEntry(dir: string, entry: SpoolEntry, body: Uint8Array, owner: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const meta: SpoolMeta = { v: 1, key: entry.key, size: entry.size, sha256: entry.sha256, createdMs: entry.createdMs };
  try {
    await writeFileAtomic(dataPath(dir, entry.id), body, { tag: owner, sync: true });
    await writeFileAtomic(metaPath(dir, entry.id), JSON.stringify(meta), { tag: owner, sync: true });
  } catch (error) {
    await fs.rm(dataPath(dir, entry.id), { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDir(dir);
}

/** Reads a spooled object's bytes, checking size and hash against the sidecar. */
export async function readSpoolEntry(dir: string, entry: SpoolEntry): Promise<Uint8Array> {
  const body = await fs.readFile(dataPath(dir, entry.id));
  if (body.length !== entry.size || sha256(body) !== entry.sha256) {
    throw new SpoolCorruptError(
      `spool file ${entry.id}.bin for ${entry.key} has ${body.length} bytes / another hash than its sidecar records`,
    );
  }
  return body;
}

export class SpoolCorruptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpoolCorruptError';
  }
}

/** Removes an uploaded entry: the sidecar first (the commit record), then the bytes. */
export async function removeSpoolEntry(dir: string, id: string): Promise<void> {
  await fs.rm(metaPath(dir, id), { force: true });
  await fs.rm(dataPath(dir, id), { force: true });
}

/** Renames an entry's files to `*.corrupt` so they are kept but no longer pending. */
export async function setAsideCorrupt(dir: string, id: string): Promise<void> {
  for (const file of [metaPath(dir, id), dataPath(dir, id)]) {
    await fs.rename(file, `${file}.corrupt`).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}

function parseMeta(text: string): SpoolMeta | undefined {
  try {
    const meta = JSON.parse(text) as Partial<SpoolMeta>;
    if (
      meta.v !== 1 ||
      typeof meta.key !== 'string' ||
      !meta.key ||
      typeof meta.size !== 'number' ||
      typeof meta.sha256 !== 'string' ||
      typeof meta.createdMs !== 'number'
    )
      return undefined;
    return { v: 1, key: meta.key, size: meta.size, sha256: meta.sha256, createdMs: meta.createdMs };
  } catch {
    return undefined;
  }
}

/**
 * Reads the spool folder left by an earlier run: complete entries oldest first; leftovers of interrupted writes
 * (temporary files not tagged with `owner`, .bin files without a sidecar) are removed. A missing folder is empty.
 * `skip` holds ids already known to the caller (left alone).
 */
export async function scanSpool(dir: string, owner: string, skip: ReadonlySet<string> = new Set()): Promise<SpoolScan> {
  const out: SpoolScan = { entries: [], removedTemp: 0, removedOrphans: 0, corrupt: 0 };
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw error;
  }
  const present = new Set(names);
  for (const name of names) {
    if (name.startsWith('.') && name.endsWith('.tmp')) {
      if (name.endsWith(`.${owner}.tmp`)) continue; // a write of this uploader, in progress
      await fs.rm(path.join(dir, name), { force: true });
      out.removedTemp++;
      continue;
    }
    const match = /^(.*)\.(bin|json)$/.exec(name);
    if (!match || !ID_RE.test(match[1]) || skip.has(match[1])) continue;
    const id = match[1];
    if (match[2] === 'bin') {
      if (!present.has(`${id}.json`)) {
        await fs.rm(path.join(dir, name), { force: true });
        out.removedOrphans++;
      }
      continue;
    }
    if (!present.has(`${id}.bin`)) {
      await fs.rm(path.join(dir, name), { force: true });
      out.removedOrphans++;
      continue;
    }
    const meta = parseMeta(await fs.readFile(path.join(dir, name), 'utf8'));
    const size = (await fs.stat(dataPath(dir, id))).size;
    if (!meta || meta.size !== size) {
      await setAsideCorrupt(dir, id);
      out.corrupt++;
      continue;
    }
    out.entries.push({ ...meta, id });
  }
  out.entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}
