import { randomUUID } from 'node:crypto';
import type { ObjectStore } from '../storage/object-store';
import { logger, type Logger } from '../util/log';
import {
  readSpoolEntry, removeSpoolEntry, scanSpool, setAsideCorrupt, sha256, SpoolCorruptError, spoolId, writeSpoolEntry,
  type SpoolEntry,
} from './spool-files';

/**
 * Bronze uploads that survive an object store outage (SPEC §4: "when the object store fails it retries with
 * backoff and spools to local disk, re-uploading when the store is back").
 *
 * `upload(key, bytes)` tries `store.put` a few times with exponential backoff and jitter. When that fails the
 * bytes are written to the spool folder (see spool-files.ts for the format) and a background drainer re-uploads
 * spooled objects, oldest first, with capped exponential backoff; a spool file is deleted only after `put`
 * resolved. Should the spool write fail too (disk full, folder unwritable) the bytes stay in memory in the same
 * pending queue, and the drainer keeps trying both the store and the disk: nothing is dropped. Store errors never
 * throw out of `upload`.
 *
 * Re-uploads are idempotent: the same key with the same bytes (a put that timed out here may still have landed).
 * One uploader owns a spool folder; two processes must not share one.
 */

export interface RetryOptions {
  /** Tries of `put` in `upload()` before spooling (at least 1). */
  attempts: number;
  initialMs: number;
  maxMs: number;
}

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export interface BronzeUploaderOptions {
  store: ObjectStore;
  spoolDir: string;
  /** In-line retries of `upload()`. Default 3 attempts, 200 ms doubling up to 1 s (under ~2 s in all). */
  retry?: Partial<RetryOptions>;
  /** Delay between drain passes while they fail. Default 1 s doubling up to 30 s. */
  drainBackoff?: Partial<BackoffOptions>;
  /** A `put` that has not settled after this long counts as failed (it may still land: re-uploads are idempotent). Default 30 s. */
  putTimeoutMs?: number;
  log?: Logger;
  /** Wall clock for spool timestamps and ages (ms). */
  now?: () => number;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

/**
 * 'uploaded': the store confirmed the put. 'spooled': the store failed; the bytes are durably in the spool
 * folder and will be re-uploaded (also after a restart). 'queued': the store and the spool write both failed;
 * the bytes are held in memory and retried (to the store and to disk) until one succeeds.
 */
export type UploadOutcome = 'uploaded' | 'spooled' | 'queued';

export interface UploaderStats {
  /** Objects `upload()` put straight into the store. */
  uploaded: number;
  /** `upload()` calls that ended in the spool (or in memory). */
  spooled: number;
  /** Pending objects (spooled, memory, or recovered from an earlier run) uploaded later. */
  reuploaded: number;
  /** Objects waiting for the store: on disk plus in memory. */
  pendingFiles: number;
  pendingBytes: number;
  /** Of those, held only in memory because the spool write failed. */
  inMemoryFiles: number;
  inMemoryBytes: number;
  /** Age of the oldest pending object in ms (0 when none). */
  oldestPendingMs: number;
  /** Failed `put` attempts, in-line and by the drainer. */
  putFailures: number;
  /** Failed spool writes. */
  spoolFailures: number;
  /** Spool entries set aside as `*.corrupt` (size or hash mismatch); kept on disk for a human. */
  corrupt: number;
  /** The latest store or spool error, e.g. `put bronze/...: connect ECONNREFUSED`. */
  lastError?: string;
  lastErrorAtMs?: number;
}

export interface FlushResult {
  /** Objects still pending after the deadline (on disk they are picked up by the next start). */
  pendingFiles: number;
  /** Of those, the ones that could not be written to disk either and are lost if the process exits. */
  inMemoryFiles: number;
}

interface Pending extends SpoolEntry {
  /** The bytes, while the entry is not on disk. */
  body?: Uint8Array;
  onDisk: boolean;
  /** Last time the drainer tried it (ms, process clock), -Infinity if never. */
  lastAttempt: number;
}

interface PassResult {
  ok: number;
  failed: number;
}

const DEFAULT_RETRY: RetryOptions = { attempts: 3, initialMs: 200, maxMs: 1000 };
const DEFAULT_DRAIN: BackoffOptions = { initialMs: 1000, maxMs: 30_000 };

/** Exponential backoff for the `n`th retry (0-based), capped, with "equal jitter": [d/2, d). */
export function backoffDelay(n: number, o: BackoffOptions, random: () => number = Math.random): number {
  const d = Math.min(o.maxMs, o.initialMs * 2 ** Math.min(n, 30));
  return Math.round(d / 2 + (random() * d) / 2);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function errText(e: unknown): string {
  const err = e as { name?: string; message?: string; code?: string };
  const msg = err?.message || err?.code || err?.name || String(e);
  return msg.length > 300 ? `${msg.slice(0, 300)}…` : msg;
}

export class BronzeUploader {
  readonly spoolDir: string;
  private readonly store: ObjectStore;
  private readonly retry: RetryOptions;
  private readonly drain: BackoffOptions;
  private readonly putTimeoutMs: number;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  /** Tags this instance's temporary files, so recovery never removes a write in progress. */
  private readonly owner = randomUUID().slice(0, 8);
  private seq = 0;
  private readonly pending: Pending[] = [];
  private timer?: NodeJS.Timeout;
  private passing?: Promise<PassResult>;
  /** Drain passes in a row that ended with a failure (sets the backoff). */
  private drainFailures = 0;
  /** The latest put failed and none has succeeded since: upload() then tries once instead of retrying. */
  private storeFailing = false;
  private closed = false;
  private readonly counts = { uploaded: 0, spooled: 0, reuploaded: 0, putFailures: 0, spoolFailures: 0, corrupt: 0 };
  private lastError?: { text: string; at: number };

  constructor(o: BronzeUploaderOptions) {
    this.store = o.store;
    this.spoolDir = o.spoolDir;
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.retry.attempts = Math.max(1, Math.floor(this.retry.attempts));
    this.drain = { ...DEFAULT_DRAIN, ...o.drainBackoff };
    this.putTimeoutMs = o.putTimeoutMs ?? 30_000;
    this.log = o.log ?? logger('bronze-uploader');
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
  }

  /**
   * Puts `body` as `key`, retrying with backoff; on failure spools it (or, failing that, holds it in memory) for
   * the background drainer. Never rejects because of the store or the disk.
   */
  async upload(key: string, body: Uint8Array): Promise<UploadOutcome> {
    const attempts = this.storeFailing ? 1 : this.retry.attempts;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(backoffDelay(i - 1, this.retry, this.random));
      if (await this.tryPut(key, body)) {
        this.counts.uploaded++;
        return 'uploaded';
      }
    }
    const createdMs = this.now();
    const entry: Pending = {
      v: 1, id: spoolId(createdMs, this.seq++), key, size: body.length, sha256: sha256(body), createdMs,
      onDisk: false, body, lastAttempt: -Infinity,
    };
    this.counts.spooled++;
    const onDisk = await this.persist(entry);
    this.pending.push(entry);
    this.log.warn({ key, bytes: body.length, spool: onDisk ? 'disk' : 'memory', pending: this.pending.length, err: this.lastError?.text }, 'object store write failed; spooled for re-upload');
    this.schedule();
    return onDisk ? 'spooled' : 'queued';
  }

  /**
   * Picks up what an earlier run left in the spool folder and uploads it, oldest first. Call before the collector
   * starts writing. Leftovers of interrupted writes (never acknowledged) are removed. What cannot be uploaded now
   * stays pending for the background drainer. Resolves to the number of spooled objects found.
   */
  async recoverPending(): Promise<number> {
    let scan;
    try {
      scan = await scanSpool(this.spoolDir, this.owner, new Set(this.pending.map((p) => p.id)));
    } catch (e) {
      this.noteError(`scan ${this.spoolDir}`, e);
      this.log.error({ spoolDir: this.spoolDir, err: errText(e) }, 'cannot read the spool folder');
      return 0;
    }
    this.counts.corrupt += scan.corrupt;
    for (const e of scan.entries) this.pending.push({ ...e, onDisk: true, lastAttempt: -Infinity });
    this.sortPending();
    if (scan.entries.length || scan.removedTemp || scan.removedOrphans || scan.corrupt) {
      this.log.warn({ spoolDir: this.spoolDir, found: scan.entries.length, removedTemp: scan.removedTemp, removedOrphans: scan.removedOrphans, corrupt: scan.corrupt }, 'recovering spooled Bronze from an earlier run');
    }
    if (this.pending.length) {
      await this.runPass();
      this.schedule();
    }
    return scan.entries.length;
  }

  /**
   * For shutdown: uploads pending objects until none is left or `timeoutMs` (a duration from now) has passed.
   * What remains stays on disk for the next start; objects held in memory get a last try at the disk.
   */
  async flushPending(timeoutMs: number): Promise<FlushResult> {
    const end = Date.now() + Math.max(0, timeoutMs);
    let round = 0;
    while (this.pending.length && Date.now() < end) {
      await this.runPass(end);
      if (!this.pending.length) break;
      const left = end - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(left, backoffDelay(round++, this.retry, this.random)));
    }
    for (const p of this.pending) if (!p.onDisk) await this.persist(p);
    const inMemory = this.pending.filter((p) => !p.onDisk).length;
    if (this.pending.length) {
      this.log.warn({ pending: this.pending.length, inMemory, spoolDir: this.spoolDir }, 'spooled Bronze left for the next start');
    }
    return { pendingFiles: this.pending.length, inMemoryFiles: inMemory };
  }

  stats(): UploaderStats {
    let pendingBytes = 0, inMemoryFiles = 0, inMemoryBytes = 0, oldest = Infinity;
    for (const p of this.pending) {
      pendingBytes += p.size;
      if (!p.onDisk) { inMemoryFiles++; inMemoryBytes += p.size; }
      oldest = Math.min(oldest, p.createdMs);
    }
    return {
      ...this.counts,
      pendingFiles: this.pending.length, pendingBytes, inMemoryFiles, inMemoryBytes,
      oldestPendingMs: this.pending.length ? Math.max(0, this.now() - oldest) : 0,
      lastError: this.lastError?.text, lastErrorAtMs: this.lastError?.at,
    };
  }

  /** Keys waiting for the store, oldest first. */
  pendingKeys(): string[] {
    return this.pending.map((p) => p.key);
  }

  /** Objects waiting for the store, oldest first, and whether each is safe on disk or held in memory only. */
  pendingObjects(): { key: string; onDisk: boolean }[] {
    return this.pending.map((p) => ({ key: p.key, onDisk: p.onDisk }));
  }

  /** Stops the background drainer (waits for a pass in progress). Pending objects stay on disk. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.passing?.catch(() => undefined);
  }

  // --- internals ---

  private async tryPut(key: string, body: Uint8Array, timeoutMs = this.putTimeoutMs): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.store.put(key, body),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`put timed out after ${timeoutMs} ms`)), Math.max(1, timeoutMs));
        }),
      ]);
      this.storeFailing = false;
      return true;
    } catch (e) {
      this.storeFailing = true;
      this.counts.putFailures++;
      this.noteError(`put ${key}`, e);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes an in-memory entry to the spool folder; true when it is on disk (the bytes are then released). */
  private async persist(p: Pending): Promise<boolean> {
    if (p.onDisk) return true;
    try {
      await writeSpoolEntry(this.spoolDir, p, p.body!, this.owner);
      p.onDisk = true;
      p.body = undefined;
      return true;
    } catch (e) {
      this.counts.spoolFailures++;
      this.noteError(`spool ${p.key} to ${this.spoolDir}`, e);
      this.log.error({ key: p.key, spoolDir: this.spoolDir, err: errText(e) }, 'cannot spool to disk; holding in memory');
      return false;
    }
  }

  private noteError(what: string, e: unknown): void {
    this.lastError = { text: `${what}: ${errText(e)}`, at: this.now() };
  }

  private sortPending(): void {
    this.pending.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private schedule(): void {
    if (this.closed || this.timer || !this.pending.length) return;
    const delay = backoffDelay(Math.max(0, this.drainFailures - 1), this.drain, this.random);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runPass().finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }

  /** One drain pass at a time: a caller arriving during a pass waits for it, then runs its own. */
  private async runPass(deadline = Infinity): Promise<PassResult> {
    while (this.passing) await this.passing.catch(() => undefined);
    const run = this.pass(deadline);
    this.passing = run;
    try {
      const r = await run;
      if (r.failed === 0) this.drainFailures = 0;
      else this.drainFailures++;
      return r;
    } finally {
      if (this.passing === run) this.passing = undefined;
    }
  }

  /**
   * Tries every pending object once, oldest first. The first try goes to the object tried least recently, and
   * when it fails before anything succeeded the pass stops: the store is probably down, so an outage costs one
   * request per pass, while one bad key cannot hold up the others (the next pass probes another object).
   */
  private async pass(deadline: number): Promise<PassResult> {
    const r: PassResult = { ok: 0, failed: 0 };
    if (!this.pending.length) return r;
    let probe = this.pending[0];
    for (const p of this.pending) if (p.lastAttempt < probe.lastAttempt) probe = p;
    const order = [probe, ...this.pending.filter((p) => p !== probe)];
    for (const p of order) {
      if (Date.now() >= deadline) break;
      if (!this.pending.includes(p)) continue;
      p.lastAttempt = Date.now();
      let body: Uint8Array;
      try {
        body = p.onDisk ? await readSpoolEntry(this.spoolDir, p) : p.body!;
      } catch (e) {
        await this.handleUnreadable(p, e);
        continue;
      }
      const timeout = Math.min(this.putTimeoutMs, Math.max(1, deadline - Date.now()));
      if (await this.tryPut(p.key, body, timeout)) {
        r.ok++;
        if (p.onDisk) {
          await removeSpoolEntry(this.spoolDir, p.id).catch((e: unknown) => {
            // Uploaded anyway; the leftover is re-uploaded (idempotently) after a restart.
            this.log.warn({ key: p.key, id: p.id, err: errText(e) }, 'uploaded but cannot delete the spool file');
          });
        }
        this.counts.reuploaded++;
        this.pending.splice(this.pending.indexOf(p), 1);
        this.log.info({ key: p.key, bytes: p.size, ageMs: this.now() - p.createdMs, pending: this.pending.length }, 'spooled Bronze uploaded');
      } else {
        r.failed++;
        if (!p.onDisk) await this.persist(p);
        if (r.ok === 0) break;
      }
    }
    return r;
  }

  private async handleUnreadable(p: Pending, e: unknown): Promise<void> {
    this.noteError(`read spool ${p.id}`, e);
    const corrupt = e instanceof SpoolCorruptError || (e as NodeJS.ErrnoException).code === 'ENOENT';
    if (!corrupt) return; // e.g. EIO or EACCES: leave it pending and try again later
    this.pending.splice(this.pending.indexOf(p), 1);
    this.counts.corrupt++;
    await setAsideCorrupt(this.spoolDir, p.id).catch(() => undefined);
    this.log.error({ key: p.key, id: p.id, spoolDir: this.spoolDir, err: errText(e) }, 'spool file damaged; set aside as .corrupt, not uploaded');
  }
}
