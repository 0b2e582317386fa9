import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { getExisting, NotFoundError, inNameRange, type NameRange, type ObjectInfo, type ObjectStore } from './object-store';

/** A lake folder on local disk. Writes go to a temporary file in the target folder, then rename (atomic). */
export class LocalObjectStore implements ObjectStore {
  readonly url: string;
  readonly localRoot: string;

  constructor(root: string) {
    this.localRoot = path.resolve(root);
    this.url = pathToFileURL(this.localRoot).href;
  }

  private file(key: string): string {
    const file = path.resolve(this.localRoot, key);
    if (file !== this.localRoot && !file.startsWith(this.localRoot + path.sep)) throw new Error(`key escapes the lake: ${key}`);
    return file;
  }

  get(key: string): Promise<Uint8Array> {
    return getExisting(this, key);
  }

  async tryGet(key: string): Promise<Uint8Array | undefined> {
    try {
      return await fs.readFile(this.file(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async getRange(key: string, start: number, end: number): Promise<Uint8Array> {
    let handle: import('node:fs/promises').FileHandle;
    try {
      handle = await fs.open(this.file(key), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(key, this.url);
      throw err;
    }
    try {
      const out = Buffer.alloc(Math.max(0, end - start));
      const { bytesRead } = await handle.read(out, 0, out.length, start);
      return out.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  private async atomically(key: string, write: (tmp: string) => Promise<void>): Promise<void> {
    const dest = this.file(key);
    await fs.mkdir(path.dirname(dest), { recursive: true });
    // The temporary name starts with '.' so listings and DuckDB globs never pick it up.
    const tmp = path.join(path.dirname(dest), `.${path.basename(dest)}.${randomUUID()}.tmp`);
    try {
      await write(tmp);
      await fs.rename(tmp, dest);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
  }

  put(key: string, body: Uint8Array | string): Promise<void> {
    return this.atomically(key, (tmp) => fs.writeFile(tmp, body));
  }

  putFile(key: string, src: string): Promise<void> {
    return this.atomically(key, (tmp) => pipeline(createReadStream(src), createWriteStream(tmp)));
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // Walk only the folders that can hold keys with this prefix, in key order, lazily (callers may stop early).
    const slash = prefix.lastIndexOf('/');
    yield* this.walk(slash >= 0 ? prefix.slice(0, slash + 1) : '', prefix);
  }

  private async *walk(dirKey: string, prefix: string): AsyncGenerator<ObjectInfo> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(this.file(dirKey || '.'), { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw err;
    }
    // Sort by the key each entry produces ('a/' sorts by '/'), so the whole listing is in key order like S3's.
    const named = entries
      .filter((e) => !e.name.startsWith('.'))
      .map((e) => ({ e, sortKey: e.isDirectory() ? `${e.name}/` : e.name }));
    named.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    // A folder's files are stat'ed together: one at a time made listing a lake of many small files crawl.
    const stats = new Map(
      await Promise.all(
        named
          .filter(({ e }) => e.isFile() && (dirKey + e.name).startsWith(prefix))
          .map(async ({ e }) => [e.name, await statIfPresent(this.file(dirKey + e.name))] as const),
      ),
    );
    for (const { e: ent } of named) {
      const key = dirKey + ent.name;
      if (ent.isDirectory()) {
        const sub = key + '/';
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) yield* this.walk(sub, prefix);
      } else {
        // undefined: removed since the folder was read (a rebuild replacing it), so not listed.
        const st = stats.get(ent.name);
        if (st) yield { key, size: st.size, lastModified: st.mtime };
      }
    }
  }

  async listPrefixes(prefix: string, range?: NameRange): Promise<string[]> {
    try {
      const entries = await fs.readdir(this.file(prefix), { withFileTypes: true });
      return entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.') && inNameRange(e.name, range))
        .map((e) => `${prefix}${e.name}/`)
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await fs.stat(this.file(key))).isFile();
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.file(key), { force: true });
  }
}

async function statIfPresent(file: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
