import { promises as fs } from 'node:fs';
import path from 'node:path';
import { checkParquetTail, TAIL_BYTES } from '../parquet/verify';
import { allDatasets, tableName } from '../schema/registry';
import type { DatasetSpec, Layer } from '../schema/types';
import { NotFoundError, type ObjectInfo, type ObjectStore } from '../storage/object-store';
import { partitionPathProblem } from './partition-folders';

/**
 * Which data files of the lake a reader can trust (docs/bad-files.md). A file is bad when its footer check fails
 * (lib/parquet/verify.ts) or when it sits in a folder that is not a partition of its dataset; such files are left
 * where they are and reported, never moved or deleted. Verdicts are remembered per file by size and modification
 * time — on a local lake in `.lakehouse/file-checks.json`, which listings and views never see — so a query over a
 * big lake re-reads only the footers of files that are new or changed since the last look.
 */

export interface BadFile {
  layer: Layer;
  /** The view (and Glue table) the file belongs to, `{layer}_{dataset}`. */
  view: string;
  /** The file's key, or the prefix of a skipped folder (ending in '/'). */
  key: string;
  reason: string;
  /** For a skipped folder: how many data files it holds. */
  files?: number;
}

export interface DatasetFiles {
  spec: DatasetSpec;
  /** The data files that passed, in key order. */
  files: ObjectInfo[];
  bad: BadFile[];
}

const CACHE_FILE = '.lakehouse/file-checks.json';
const CACHE_VERSION = 1;
const CHECK_CONCURRENCY = 8;

/** [size, mtime ms] of a good file; [size, mtime ms, reason] of a bad one. */
type CacheEntry = [number, number] | [number, number, string];

/** Verdicts per file, kept on disk for a local lake and in memory otherwise. */
export class FileChecks {
  private readonly seen = new Set<string>();
  private dirty = false;

  private constructor(
    private readonly store: ObjectStore,
    private readonly file: string | undefined,
    private readonly entries: Map<string, CacheEntry>,
  ) {}

  static async open(store: ObjectStore): Promise<FileChecks> {
    const file = store.localRoot ? path.join(store.localRoot, CACHE_FILE) : undefined;
    const entries = new Map<string, CacheEntry>();
    if (file) {
      try {
        const saved = JSON.parse(await fs.readFile(file, 'utf8')) as { version?: number; files?: Record<string, CacheEntry> };
        if (saved.version === CACHE_VERSION) for (const [k, entry] of Object.entries(saved.files ?? {})) entries.set(k, entry);
      } catch {
        // No cache yet, or an unreadable one: every file is checked again and the cache rewritten.
      }
    }
    return new FileChecks(store, file, entries);
  }

  /** Why the file is not readable Parquet, or undefined when it is; from the cache while size and mtime match. */
  async problem(object: ObjectInfo): Promise<string | undefined> {
    this.seen.add(object.key);
    const mtime = object.lastModified?.getTime() ?? 0;
    const hit = this.entries.get(object.key);
    if (hit && hit[0] === object.size && hit[1] === mtime) return hit[2];
    const reason = await checkFile(this.store, object);
    this.remember(object, reason);
    return reason;
  }

  /** Records a file found unreadable by other means (a reader that failed on it), so later looks skip it. */
  markBad(object: ObjectInfo, reason: string): void {
    this.seen.add(object.key);
    this.remember(object, reason);
  }

  private remember(object: ObjectInfo, reason: string | undefined): void {
    const mtime = object.lastModified?.getTime() ?? 0;
    this.entries.set(object.key, reason === undefined ? [object.size, mtime] : [object.size, mtime, reason]);
    this.dirty = true;
  }

  /**
   * Writes the cache when something changed. `prune`: prefixes that were listed whole, under which files not
   * seen since the cache was opened are gone and are dropped. A lake the user may not write to goes without.
   */
  async save(o: { prune?: readonly string[] } = {}): Promise<void> {
    if (!this.file) return;
    for (const k of this.entries.keys()) {
      if (!this.seen.has(k) && o.prune?.some((p) => k.startsWith(p))) {
        this.entries.delete(k);
        this.dirty = true;
      }
    }
    if (!this.dirty) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await fs.writeFile(tmp, JSON.stringify({ version: CACHE_VERSION, files: Object.fromEntries(this.entries) }));
      await fs.rename(tmp, this.file);
      this.dirty = false;
    } catch {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
    }
  }
}

/** The footer check of one stored file, reading only its end. */
async function checkFile(store: ObjectStore, object: ObjectInfo): Promise<string | undefined> {
  const read = (bytes: number) => {
    const start = Math.max(0, object.size - bytes);
    return store.getRange ? store.getRange(object.key, start, object.size) : store.get(object.key).then((b) => b.subarray(start));
  };
  let check = checkParquetTail(object.size === 0 ? new Uint8Array() : await read(TAIL_BYTES), object.size);
  if ('needTail' in check) check = checkParquetTail(await read(check.needTail), object.size);
  if ('needTail' in check) return 'footer does not fit the file: truncated or corrupt';
  return check.ok ? undefined : check.reason;
}

/**
 * The data files (`.parquet`) of one dataset under `prefixes` (default: all of it), sorted into good and bad.
 * Files that vanish while being checked (a rebuild replacing them) are left out.
 */
export async function scanDataset(
  store: ObjectStore,
  spec: DatasetSpec,
  checks: FileChecks,
  prefixes?: readonly string[],
): Promise<DatasetFiles> {
  const view = tableName(spec);
  const candidates: ObjectInfo[] = [];
  const folders = new Map<string, BadFile>();
  for (const prefix of prefixes ?? [`${spec.layer}/${spec.name}/`]) {
    for await (const object of store.list(prefix)) {
      if (!object.key.endsWith('.parquet')) continue;
      const wrong = partitionPathProblem(spec, object.key);
      if (!wrong) {
        candidates.push(object);
        continue;
      }
      const badFile = folders.get(wrong.folder) ?? { layer: spec.layer, view, key: wrong.folder, reason: wrong.reason, files: 0 };
      badFile.files = (badFile.files ?? 0) + 1;
      folders.set(wrong.folder, badFile);
    }
  }
  const verdicts: (string | undefined | null)[] = new Array<string | undefined | null>(candidates.length);
  let next = 0;
  const worker = async () => {
    while (next < candidates.length) {
      const i = next++;
      try {
        verdicts[i] = await checks.problem(candidates[i]);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        verdicts[i] = null;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CHECK_CONCURRENCY, candidates.length) }, worker));
  const files: ObjectInfo[] = [];
  const bad: BadFile[] = [...folders.values()];
  for (const [i, o] of candidates.entries()) {
    const verdict = verdicts[i];
    if (verdict === undefined) files.push(o);
    else if (verdict !== null) bad.push({ layer: spec.layer, view, key: o.key, reason: verdict });
  }
  bad.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { spec, files, bad };
}

/** Every dataset of the given layers (default: all), checked; the cache is saved. */
export async function scanLake(
  store: ObjectStore,
  o: { layers?: readonly Layer[]; checks?: FileChecks } = {},
): Promise<DatasetFiles[]> {
  const checks = o.checks ?? (await FileChecks.open(store));
  const out: DatasetFiles[] = [];
  const specs = allDatasets().filter((d) => !o.layers || o.layers.includes(d.layer));
  for (const spec of specs) out.push(await scanDataset(store, spec, checks));
  await checks.save({ prune: specs.map((d) => `${d.layer}/${d.name}/`) });
  return out;
}

/** One line for a bad file or folder, as warnings and problem lists print it. */
export function badFileLine(badFile: BadFile): string {
  if (badFile.files === undefined) return `${badFile.key} (${badFile.view}): ${badFile.reason}`;
  return `folder ${badFile.key} (${badFile.view}, ${badFile.files} file${badFile.files === 1 ? '' : 's'}): ${badFile.reason}`;
}
