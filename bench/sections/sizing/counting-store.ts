import { statSync } from 'node:fs';
import type { NameRange, ObjectInfo, ObjectStore } from '../../../lib/storage/object-store';

/**
 * An ObjectStore that counts the requests S3 would answer and the bytes it would move, around a local store.
 * A local disk answers in microseconds where S3 takes tens of milliseconds, so a job's time on AWS is its CPU time
 * here plus what these counts cost there; the counts are measured, the latency per request is an assumption.
 */

export interface RequestCounts {
  get: number;
  put: number;
  /** LIST pages: S3 returns at most 1,000 keys a page. */
  list: number;
  delete: number;
  head: number;
  bytesIn: number;
  bytesOut: number;
  [k: string]: number;
}

const LIST_PAGE = 1000;

export const noRequests = (): RequestCounts => ({ get: 0, put: 0, list: 0, delete: 0, head: 0, bytesIn: 0, bytesOut: 0 });

export class CountingStore implements ObjectStore {
  counts: RequestCounts = noRequests();

  constructor(private readonly inner: ObjectStore) {}

  get url(): string {
    return this.inner.url;
  }

  get localRoot(): string | undefined {
    return this.inner.localRoot;
  }

  /** The counts so far, and a fresh start. */
  take(): RequestCounts {
    const c = this.counts;
    this.counts = noRequests();
    return c;
  }

  async get(key: string): Promise<Uint8Array> {
    this.counts.get++;
    const b = await this.inner.get(key);
    this.counts.bytesIn += b.byteLength;
    return b;
  }

  async tryGet(key: string): Promise<Uint8Array | undefined> {
    this.counts.get++;
    const b = await this.inner.tryGet(key);
    this.counts.bytesIn += b?.byteLength ?? 0;
    return b;
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    this.counts.put++;
    this.counts.bytesOut += typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    await this.inner.put(key, body);
  }

  async putFile(key: string, path: string): Promise<void> {
    this.counts.put++;
    this.counts.bytesOut += statSync(path).size;
    await this.inner.putFile(key, path);
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let n = 0;
    this.counts.list++;
    for await (const o of this.inner.list(prefix)) {
      if (n > 0 && n % LIST_PAGE === 0) this.counts.list++;
      n++;
      yield o;
    }
  }

  async listPrefixes(prefix: string, range?: NameRange): Promise<string[]> {
    const out = await this.inner.listPrefixes(prefix, range);
    this.counts.list += 1 + Math.floor(Math.max(0, out.length - 1) / LIST_PAGE);
    return out;
  }

  async exists(key: string): Promise<boolean> {
    this.counts.head++;
    return this.inner.exists(key);
  }

  async delete(key: string): Promise<void> {
    this.counts.delete++;
    await this.inner.delete(key);
  }
}
