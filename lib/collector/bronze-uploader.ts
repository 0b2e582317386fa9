import { randomUUID } from 'node:crypto';
import type { ObjectStore } from '../storage/object-store';
import { logger, type Logger } from '../util/log';
import {
  backoffDelay,
  nextPassDelay,
  passGoesOn,
  passOrder,
  putTimeout,
  shutdownPause,
  uploadAttempts,
  type BackoffOptions,
  type PassTally,
  type RetryOptions,
} from './drain-policy';
import {
  readSpoolEntry,
  removeSpoolEntry,
  scanSpool,
  setAsideCorrupt,
  sha256,
  SpoolCorruptError,
  spoolId,
  writeSpoolEntry,
  type SpoolEntry,
} from './spool-files';

/**
 * Bronze uploads that survive an object store outage (docs/collector.md, "Never losing what was received").
 *
 * `upload(key, bytes)` tries `store.put` a few times with exponential backoff and jitter. When that fails the
 * bytes are written to the spool folder (see spool-files.ts for the format) and a background drainer re-uploads
 * spooled objects, oldest first, with capped exponential backoff (when and in which order: drain-policy.ts); a
 * spool file is deleted only after `put` resolved. Should the spool write fail too (disk full, folder
 * unwritable) the bytes stay in memory in the same pending queue, and the drainer keeps trying both the store
 * and the disk: nothing is dropped. Store errors never throw out of `upload`.
 *
 * Re-uploads are idempotent: the same key with the same bytes (a put that timed out here may still have landed).
 * One uploader owns a spool folder; two processes must not share one.
 */

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
  /** Wall clock (epoch ms) for spool timestamps, ages and deadlines. */
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
  /** Sequence number of the drainer's latest try of it, -1 if never (see DrainCandidate). */
  lastTry: number;
}

const DEFAULT_RETRY: RetryOptions = { attempts: 3, initialMs: 200, maxMs: 1000 };
const DEFAULT_DRAIN: BackoffOptions = { initialMs: 1000, maxMs: 30_000 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function errText(thrown: unknown): string {
  const err = thrown as { name?: string; message?: string; code?: string };
  const msg = err?.message || err?.code || err?.name || String(thrown);
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
  private passing?: Promise<PassTally>;
  /** Drain passes in a row that ended with a failure (sets the backoff). */
  private drainFailures = 0;
  /** Numbers the drainer's tries, so the least recently tried object is known without a clock. */
  private tries = 0;
  /** The latest put failed and none has succeeded since: upload() then tries once instead of retrying. */
  private storeFailing = false;
  private closed = false;
  private readonly counts = { uploaded: 0, spooled: 0, reuploaded: 0, putFailures: 0, spoolFailures: 0, corrupt: 0 };
  private lastError?: { text: string; at: number };

  constructor(options: BronzeUploaderOptions) {
    this.store = options.store;
    this.spoolDir = options.spoolDir;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.retry.attempts = Math.max(1, Math.floor(this.retry.attempts));
    this.drain = { ...DEFAULT_DRAIN, ...options.drainBackoff };
    this.putTimeoutMs = options.putTimeoutMs ?? 30_000;
    this.log = options.log ?? logger('bronze-uploader');
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /**
   * Puts `body` as `key`, retrying with backoff; on failure spools it (or, failing that, holds it in memory) for
   * the background drainer. Never rejects because of the store or the disk.
   */
  async upload(key: string, body: Uint8Array): Promise<UploadOutcome> {
    const attempts = uploadAttempts(this.storeFailing, this.retry);
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(backoffDelay(attempt - 1, this.retry, this.random));
      if (await this.tryPut(key, body)) {
        this.counts.uploaded++;
        return 'uploaded';
      }
    }
    const createdMs = this.now();
    const entry: Pending = {
      v: 1,
      id: spoolId(createdMs, this.seq++),
      key,
      size: body.length,
      sha256: sha256(body),
      createdMs,
      onDisk: false,
      body,
      lastTry: -1,
    };
    this.counts.spooled++;
    const onDisk = await this.persist(entry);
    this.pending.push(entry);
    this.log.warn(
      { key, bytes: body.length, spool: onDisk ? 'disk' : 'memory', pending: this.pending.length, err: this.lastError?.text },
      'object store write failed; spooled for re-upload',
    );
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
    } catch (err) {
      this.noteError(`scan ${this.spoolDir}`, err);
      this.log.error({ spoolDir: this.spoolDir, err: errText(err) }, 'cannot read the spool folder');
      return 0;
    }
    this.counts.corrupt += scan.corrupt;
    for (const entry of scan.entries) this.pending.push({ ...entry, onDisk: true, lastTry: -1 });
    this.sortPending();
    if (scan.entries.length || scan.removedTemp || scan.removedOrphans || scan.corrupt) {
      this.log.warn(
        {
          spoolDir: this.spoolDir,
          found: scan.entries.length,
          removedTemp: scan.removedTemp,
          removedOrphans: scan.removedOrphans,
          corrupt: scan.corrupt,
        },
        'recovering spooled Bronze from an earlier run',
      );
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
    const end = this.now() + Math.max(0, timeoutMs);
    let round = 0;
    while (this.pending.length && this.now() < end) {
      await this.runPass(end);
      if (!this.pending.length) break;
      const pause = shutdownPause(round++, end - this.now(), this.retry, this.random);
      if (pause === undefined) break;
      await sleep(pause);
    }
    for (const entry of this.pending) if (!entry.onDisk) await this.persist(entry);
    const inMemory = this.pending.filter((entry) => !entry.onDisk).length;
    if (this.pending.length) {
      this.log.warn(
        { pending: this.pending.length, inMemory, spoolDir: this.spoolDir },
        'spooled Bronze left for the next start',
      );
    }
    return { pendingFiles: this.pending.length, inMemoryFiles: inMemory };
  }

  stats(): UploaderStats {
    let pendingBytes = 0,
      inMemoryFiles = 0,
      inMemoryBytes = 0,
      oldest = Infinity;
    for (const entry of this.pending) {
      pendingBytes += entry.size;
      if (!entry.onDisk) {
        inMemoryFiles++;
        inMemoryBytes += entry.size;
      }
      oldest = Math.min(oldest, entry.createdMs);
    }
    return {
      ...this.counts,
      pendingFiles: this.pending.length,
      pendingBytes,
      inMemoryFiles,
      inMemoryBytes,
      oldestPendingMs: this.pending.length ? Math.max(0, this.now() - oldest) : 0,
      lastError: this.lastError?.text,
      lastErrorAtMs: this.lastError?.at,
    };
  }

  /** Keys waiting for the store, oldest first. */
  pendingKeys(): string[] {
    return this.pending.map((entry) => entry.key);
  }

  /** Objects waiting for the store, oldest first, and whether each is safe on disk or held in memory only. */
  pendingObjects(): { key: string; onDisk: boolean }[] {
    return this.pending.map((entry) => ({ key: entry.key, onDisk: entry.onDisk }));
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
    } catch (err) {
      this.storeFailing = true;
      this.counts.putFailures++;
      this.noteError(`put ${key}`, err);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes an in-memory entry to the spool folder; true when it is on disk (the bytes are then released). */
  private async persist(entry: Pending): Promise<boolean> {
    if (entry.onDisk) return true;
    try {
      await writeSpoolEntry(this.spoolDir, entry, entry.body!, this.owner);
      entry.onDisk = true;
      entry.body = undefined;
      return true;
    } catch (err) {
      this.counts.spoolFailures++;
      this.noteError(`spool ${entry.key} to ${this.spoolDir}`, err);
      this.log.error({ key: entry.key, spoolDir: this.spoolDir, err: errText(err) }, 'cannot spool to disk; holding in memory');
      return false;
    }
  }

  private noteError(what: string, err: unknown): void {
    this.lastError = { text: `${what}: ${errText(err)}`, at: this.now() };
  }

  private sortPending(): void {
    this.pending.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private schedule(): void {
    if (this.closed || this.timer || !this.pending.length) return;
    const delay = nextPassDelay(this.drainFailures, this.drain, this.random);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runPass().finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }

  /** One drain pass at a time: a caller arriving during a pass waits for it, then runs its own. */
  private async runPass(deadline = Infinity): Promise<PassTally> {
    while (this.passing) await this.passing.catch(() => undefined);
    const run = this.pass(deadline);
    this.passing = run;
    try {
      const tally = await run;
      if (tally.failed === 0) this.drainFailures = 0;
      else this.drainFailures++;
      return tally;
    } finally {
      if (this.passing === run) this.passing = undefined;
    }
  }

  /** Tries every pending object once, in passOrder, while passGoesOn (see drain-policy.ts). */
  private async pass(deadline: number): Promise<PassTally> {
    const tally: PassTally = { ok: 0, failed: 0 };
    for (const entry of passOrder(this.pending)) {
      if (!passGoesOn(tally, this.now(), deadline)) break;
      if (!this.pending.includes(entry)) continue;
      entry.lastTry = this.tries++;
      let body: Uint8Array;
      try {
        body = entry.onDisk ? await readSpoolEntry(this.spoolDir, entry) : entry.body!;
      } catch (err) {
        await this.handleUnreadable(entry, err);
        continue;
      }
      if (await this.tryPut(entry.key, body, putTimeout(this.now(), deadline, this.putTimeoutMs))) {
        tally.ok++;
        if (entry.onDisk) {
          await removeSpoolEntry(this.spoolDir, entry.id).catch((err: unknown) => {
            // Uploaded anyway; the leftover is re-uploaded (idempotently) after a restart.
            this.log.warn({ key: entry.key, id: entry.id, err: errText(err) }, 'uploaded but cannot delete the spool file');
          });
        }
        this.counts.reuploaded++;
        this.pending.splice(this.pending.indexOf(entry), 1);
        const ageMs = this.now() - entry.createdMs;
        this.log.info({ key: entry.key, bytes: entry.size, ageMs, pending: this.pending.length }, 'spooled Bronze uploaded');
      } else {
        tally.failed++;
        if (!entry.onDisk) await this.persist(entry);
      }
    }
    return tally;
  }

  private async handleUnreadable(entry: Pending, err: unknown): Promise<void> {
    this.noteError(`read spool ${entry.id}`, err);
    const corrupt = err instanceof SpoolCorruptError || (err as NodeJS.ErrnoException).code === 'ENOENT';
    if (!corrupt) return; // e.g. EIO or EACCES: leave it pending and try again later
    this.pending.splice(this.pending.indexOf(entry), 1);
    this.counts.corrupt++;
    await setAsideCorrupt(this.spoolDir, entry.id).catch(() => undefined);
    const fields = { key: entry.key, id: entry.id, spoolDir: this.spoolDir, err: errText(err) };
    this.log.error(fields, 'spool file damaged; set aside as .corrupt, not uploaded');
  }
}
