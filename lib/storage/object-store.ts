/**
 * The one storage interface the core uses. Keys are '/'-separated paths relative to the lake root. Writers
 * replace whole objects atomically: a reader sees the old object or the new one, never a partial file.
 */

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified?: Date;
}

export interface ObjectStore {
  /** Human-readable location, e.g. `file:///data/lake` or `s3://bucket/prefix`. */
  readonly url: string;
  /** Folder on disk when the store is local (DuckDB reads it directly), else undefined. */
  readonly localRoot?: string;
  get(key: string): Promise<Uint8Array>;
  /** Like get, but undefined when the key does not exist. */
  tryGet(key: string): Promise<Uint8Array | undefined>;
  /** Bytes [start, end) of an object: a file's footer without its data (checking files across a lake). */
  getRange?(key: string, start: number, end: number): Promise<Uint8Array>;
  put(key: string, body: Uint8Array | string): Promise<void>;
  /** Upload a local file as `key` (streamed, not read into memory). */
  putFile(key: string, path: string): Promise<void>;
  /** Every object under `prefix`, paging through the listing; order is lexicographic by key. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /**
   * Immediate "sub-folders" below `prefix` (which should end with '/'), e.g. partition values, sorted. With a
   * range, only those whose name (the text between `prefix` and the next '/') lies in it, both ends included;
   * S3 then starts the listing at `from` and stops after `to` instead of paging through every folder.
   */
  listPrefixes(prefix: string, range?: NameRange): Promise<string[]>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
}

export interface NameRange {
  from?: string;
  to?: string;
}

/** Whether a child folder name lies in the range (both ends included). */
export function inNameRange(name: string, range: NameRange | undefined): boolean {
  return (range?.from === undefined || name >= range.from) && (range?.to === undefined || name <= range.to);
}

export class NotFoundError extends Error {
  constructor(
    readonly key: string,
    where: string,
  ) {
    super(`no object ${key} in ${where}`);
    this.name = 'NotFoundError';
  }
}

/** `store.get` for stores that answer `tryGet`: the object's bytes, or a NotFoundError naming key and store. */
export async function getExisting(store: Pick<ObjectStore, 'tryGet' | 'url'>, key: string): Promise<Uint8Array> {
  const bytes = await store.tryGet(key);
  if (!bytes) throw new NotFoundError(key, store.url);
  return bytes;
}

export async function listAll(store: ObjectStore, prefix: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const object of store.list(prefix)) out.push(object);
  return out;
}
