import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BronzeUploader, type BronzeUploaderOptions } from '../../lib/collector/bronze-uploader';
import { backoffDelay } from '../../lib/collector/drain-policy';
import { LocalObjectStore } from '../../lib/storage/local-store';
import type { ObjectInfo, ObjectStore } from '../../lib/storage/object-store';
import { logger } from '../../lib/util/log';
import { startRestartableS3, type RestartableS3 } from '../helpers/s3-outage';
import { tmpDir } from '../helpers/sample-rows';

const log = logger('spool-test');
log.level = 'silent';

const FAST = { retry: { attempts: 2, initialMs: 5, maxMs: 10 }, drainBackoff: { initialMs: 20, maxMs: 80 }, log };

const key = (n: number | string) => `bronze/trades/exchange=binance/symbol=BTCUSDT/dt=2024-01-02/hour=03/part-${n}.parquet`;
const bytes = (n = 2000) => new Uint8Array(randomBytes(n));

async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const spoolFiles = (dir: string, ext: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => n.endsWith(ext))
        .sort()
    : [];

/** A local lake whose root sits below a regular file while "down": every put fails (ENOTDIR) until up(). */
function switchableLocalStore() {
  const base = path.join(tmpDir('spool-store'), 'base');
  const root = path.join(base, 'lake');
  const store = new LocalObjectStore(root);
  return {
    store,
    root,
    down: () => {
      rmSync(base, { recursive: true, force: true });
      writeFileSync(base, 'outage');
    },
    up: async () => {
      await fs.rm(base, { force: true });
      await fs.mkdir(root, { recursive: true });
    },
  };
}

/** Delegates to a real store and records the keys whose put resolved, in order. */
class RecordingStore implements ObjectStore {
  readonly puts: string[] = [];
  /** When set, a put that reached the inner store waits for this before resolving. */
  gate?: Promise<void>;
  onInnerPut?: (key: string) => void;
  constructor(readonly inner: ObjectStore) {}
  get url() {
    return this.inner.url;
  }
  get localRoot() {
    return this.inner.localRoot;
  }
  get(k: string) {
    return this.inner.get(k);
  }
  tryGet(k: string) {
    return this.inner.tryGet(k);
  }
  async put(k: string, body: Uint8Array | string) {
    await this.inner.put(k, body);
    this.onInnerPut?.(k);
    if (this.gate) await this.gate;
    this.puts.push(k);
  }
  putFile(k: string, p: string) {
    return this.inner.putFile(k, p);
  }
  list(prefix: string): AsyncIterable<ObjectInfo> {
    return this.inner.list(prefix);
  }
  listPrefixes(prefix: string) {
    return this.inner.listPrefixes(prefix);
  }
  exists(k: string) {
    return this.inner.exists(k);
  }
  delete(k: string) {
    return this.inner.delete(k);
  }
}

const uploaders: BronzeUploader[] = [];
function uploader(o: Partial<BronzeUploaderOptions> & Pick<BronzeUploaderOptions, 'store' | 'spoolDir'>): BronzeUploader {
  const u = new BronzeUploader({ ...FAST, ...o });
  uploaders.push(u);
  return u;
}
afterEach(async () => {
  for (const u of uploaders.splice(0)) await u.close();
});

describe('backoffDelay', () => {
  it('doubles from initialMs, caps at maxMs, with jitter in [d/2, d]', () => {
    const o = { initialMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 10, 1000].map((n) => backoffDelay(n, o, () => 0.999999))).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000,
    ]);
    expect([0, 1, 4].map((n) => backoffDelay(n, o, () => 0))).toEqual([50, 100, 500]);
  });
});

describe('BronzeUploader on a local store', () => {
  it('uploads straight to a healthy store and writes nothing to the spool', async () => {
    const s = switchableLocalStore();
    await s.up();
    const spoolDir = path.join(tmpDir('spool'), 'spool');
    const u = uploader({ store: s.store, spoolDir });
    const body = bytes();
    expect(await u.upload(key(1), body)).toBe('uploaded');
    expect(Buffer.from(await s.store.get(key(1)))).toEqual(Buffer.from(body));
    expect(existsSync(spoolDir)).toBe(false);
    expect(u.stats()).toMatchObject({
      uploaded: 1,
      spooled: 0,
      reuploaded: 0,
      pendingFiles: 0,
      pendingBytes: 0,
      oldestPendingMs: 0,
    });
  });

  it('spools when the store is down, keeps the files through failing passes, and re-uploads them when it is back', async () => {
    const s = switchableLocalStore();
    s.down();
    const spoolDir = tmpDir('spool');
    let clock = 1_700_000_000_000;
    const u = uploader({ store: s.store, spoolDir, now: () => clock });
    const bodies = [bytes(1000), bytes(3000), bytes(10)];
    for (const [i, b] of bodies.entries()) {
      expect(await u.upload(key(i), b)).toBe('spooled');
      clock += 1000;
    }
    // On disk: one .bin per object, byte-identical, and a sidecar naming its key; oldest first by name.
    const bins = spoolFiles(spoolDir, '.bin');
    expect(bins).toHaveLength(3);
    bins.forEach((b, i) => expect(Buffer.from(readFileSync(path.join(spoolDir, b)))).toEqual(Buffer.from(bodies[i])));
    expect(spoolFiles(spoolDir, '.json').map((j) => JSON.parse(readFileSync(path.join(spoolDir, j), 'utf8')).key)).toEqual([
      key(0),
      key(1),
      key(2),
    ]);
    expect(u.stats()).toMatchObject({
      uploaded: 0,
      spooled: 3,
      pendingFiles: 3,
      pendingBytes: 4010,
      inMemoryFiles: 0,
      oldestPendingMs: 3000,
    });
    expect(u.stats().lastError).toMatch(/^put bronze\/.*ENOTDIR/);

    // The drainer keeps failing while the store is down: nothing is deleted.
    const failures = u.stats().putFailures;
    await waitFor(() => u.stats().putFailures >= failures + 3, 'drain passes');
    expect(spoolFiles(spoolDir, '.bin')).toHaveLength(3);
    expect(u.stats().pendingFiles).toBe(3);

    await s.up();
    await waitFor(() => u.stats().pendingFiles === 0, 'drain');
    for (const [i, b] of bodies.entries()) expect(Buffer.from(await s.store.get(key(i)))).toEqual(Buffer.from(b));
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(u.stats()).toMatchObject({
      uploaded: 0,
      spooled: 3,
      reuploaded: 3,
      pendingFiles: 0,
      pendingBytes: 0,
      oldestPendingMs: 0,
    });
  });

  it('deletes a spool file only after the store confirmed the put', async () => {
    const s = switchableLocalStore();
    s.down();
    const spoolDir = tmpDir('spool');
    const rec = new RecordingStore(s.store);
    const u = uploader({ store: rec, spoolDir });
    const body = bytes();
    expect(await u.upload(key('gated'), body)).toBe('spooled');
    let release!: () => void;
    rec.gate = new Promise<void>((r) => {
      release = r;
    });
    let reachedStore = false;
    rec.onInnerPut = () => {
      reachedStore = true;
    };
    await s.up();
    await waitFor(() => reachedStore, 'the re-upload to reach the store');
    // The object is in the store but put has not resolved yet: the spool file must still be there.
    await new Promise((r) => setTimeout(r, 50));
    expect(await s.store.exists(key('gated'))).toBe(true);
    expect(spoolFiles(spoolDir, '.bin')).toHaveLength(1);
    expect(u.stats().pendingFiles).toBe(1);
    release();
    await waitFor(() => u.stats().pendingFiles === 0, 'drain');
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('re-uploads a failing key later without holding up the others', async () => {
    const s = switchableLocalStore();
    s.down();
    const spoolDir = tmpDir('spool');
    const rec = new RecordingStore(s.store);
    const u = uploader({ store: rec, spoolDir });
    const bad = 'blocked/part-0.parquet';
    const body = { bad: bytes(), g1: bytes(), g2: bytes() };
    expect(await u.upload(bad, body.bad)).toBe('spooled');
    expect(await u.upload(key('g1'), body.g1)).toBe('spooled');
    expect(await u.upload(key('g2'), body.g2)).toBe('spooled');
    // The store comes back, but a regular file named `blocked` makes every put under blocked/ fail.
    await s.up();
    writeFileSync(path.join(s.root, 'blocked'), 'in the way');
    await waitFor(() => u.stats().pendingFiles === 1, 'the good keys to drain');
    expect(u.pendingKeys()).toEqual([bad]);
    expect([...rec.puts].sort()).toEqual([key('g1'), key('g2')]);
    expect(spoolFiles(spoolDir, '.bin')).toHaveLength(1);
    // A new upload to a good key goes straight through meanwhile; the bad key gets spooled too.
    expect(await u.upload(key('g3'), bytes())).toBe('uploaded');
    expect(await u.upload('blocked/part-1.parquet', bytes())).toBe('spooled');
    expect(u.stats().lastError).toMatch(/blocked\/part-/);

    await fs.rm(path.join(s.root, 'blocked'));
    await waitFor(() => u.stats().pendingFiles === 0, 'the bad keys to drain');
    expect(Buffer.from(await s.store.get(bad))).toEqual(Buffer.from(body.bad));
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('holds the bytes in memory when the spool folder is unwritable, then spools and uploads them', async () => {
    const s = switchableLocalStore();
    s.down();
    const blocker = path.join(tmpDir('spool'), 'not-a-dir');
    writeFileSync(blocker, 'a file where the spool folder should go');
    const spoolDir = path.join(blocker, 'spool');
    const u = uploader({ store: s.store, spoolDir });
    const body = bytes(777);
    expect(await u.upload(key('mem'), body)).toBe('queued');
    expect(u.stats()).toMatchObject({ spooled: 1, pendingFiles: 1, pendingBytes: 777, inMemoryFiles: 1, inMemoryBytes: 777 });
    expect(u.stats().spoolFailures).toBeGreaterThanOrEqual(1);
    // Still held (not dropped) through failing passes, which retry the disk too.
    const spoolFailures = u.stats().spoolFailures;
    await waitFor(() => u.stats().spoolFailures >= spoolFailures + 2, 'more passes');
    expect(u.stats().inMemoryFiles).toBe(1);
    expect(u.stats().lastError).toMatch(/ENOTDIR|EEXIST/);

    // The disk is usable again: the next failing pass writes the bytes to the spool and releases the memory.
    await fs.rm(blocker);
    await waitFor(() => u.stats().inMemoryFiles === 0, 'spooling to disk');
    expect(u.stats().pendingFiles).toBe(1);
    expect(Buffer.from(readFileSync(path.join(spoolDir, spoolFiles(spoolDir, '.bin')[0])))).toEqual(Buffer.from(body));

    await s.up();
    await waitFor(() => u.stats().pendingFiles === 0, 'drain');
    expect(Buffer.from(await s.store.get(key('mem')))).toEqual(Buffer.from(body));
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('uploads from memory when the store returns before the disk does', async () => {
    const s = switchableLocalStore();
    s.down();
    const blocker = path.join(tmpDir('spool'), 'not-a-dir');
    writeFileSync(blocker, 'x');
    const u = uploader({ store: s.store, spoolDir: path.join(blocker, 'spool') });
    const body = bytes(50);
    expect(await u.upload(key('mem2'), body)).toBe('queued');
    await s.up();
    await waitFor(() => u.stats().pendingFiles === 0, 'drain from memory');
    expect(Buffer.from(await s.store.get(key('mem2')))).toEqual(Buffer.from(body));
    expect(u.stats()).toMatchObject({ reuploaded: 1, inMemoryFiles: 0 });
  });

  it("recovers a previous run's spool on restart, oldest first, and removes crash leftovers", async () => {
    const s = switchableLocalStore();
    s.down();
    const spoolDir = tmpDir('spool');
    let clock = 1_700_000_000_000;
    const first = uploader({ store: s.store, spoolDir, now: () => clock++ });
    const bodies = [bytes(100), bytes(200), bytes(300)];
    for (const [i, b] of bodies.entries()) expect(await first.upload(key(`r${i}`), b)).toBe('spooled');
    await first.close();
    // A crash mid-write leaves a temporary file, and one between the two renames a .bin without its sidecar.
    writeFileSync(path.join(spoolDir, '.000000000000001-000000009-deadbeef.bin.cafe0123.tmp'), bytes(10));
    writeFileSync(path.join(spoolDir, '000000000000001-000000009-deadbeef.bin'), bytes(10));
    expect(readdirSync(spoolDir)).toHaveLength(8);

    // Restart while the store is still down: everything is found, nothing is lost, the leftovers are gone.
    const second = uploader({ store: s.store, spoolDir });
    expect(await second.recoverPending()).toBe(3);
    expect(second.pendingKeys()).toEqual([key('r0'), key('r1'), key('r2')]);
    expect(second.stats()).toMatchObject({ pendingFiles: 3, pendingBytes: 600, reuploaded: 0 });
    expect(readdirSync(spoolDir).sort()).toEqual([...spoolFiles(spoolDir, '.bin'), ...spoolFiles(spoolDir, '.json')].sort());
    expect(spoolFiles(spoolDir, '.bin')).toHaveLength(3);
    await second.close();

    // Restart with the store up: recoverPending uploads the leftovers, oldest first, before returning.
    await s.up();
    const rec = new RecordingStore(s.store);
    const third = uploader({ store: rec, spoolDir });
    expect(await third.recoverPending()).toBe(3);
    expect(rec.puts).toEqual([key('r0'), key('r1'), key('r2')]);
    expect(third.stats()).toMatchObject({ pendingFiles: 0, reuploaded: 3, uploaded: 0 });
    for (const [i, b] of bodies.entries()) expect(Buffer.from(await s.store.get(key(`r${i}`)))).toEqual(Buffer.from(b));
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('recoverPending on a missing spool folder finds nothing', async () => {
    const s = switchableLocalStore();
    await s.up();
    const u = uploader({ store: s.store, spoolDir: path.join(tmpDir('spool'), 'never-created') });
    expect(await u.recoverPending()).toBe(0);
    expect(u.stats().pendingFiles).toBe(0);
  });

  it('sets a damaged spool file aside instead of uploading it', async () => {
    const s = switchableLocalStore();
    s.down();
    const spoolDir = tmpDir('spool');
    const first = uploader({ store: s.store, spoolDir });
    expect(await first.upload(key('ok'), bytes(64))).toBe('spooled');
    expect(await first.upload(key('bad'), bytes(64))).toBe('spooled');
    await first.close();
    const damaged = spoolFiles(spoolDir, '.bin')[1];
    writeFileSync(path.join(spoolDir, damaged), bytes(64)); // same size, other bytes
    await s.up();
    const second = uploader({ store: s.store, spoolDir });
    expect(await second.recoverPending()).toBe(2);
    expect(second.stats()).toMatchObject({ pendingFiles: 0, reuploaded: 1, corrupt: 1 });
    expect(await s.store.exists(key('ok'))).toBe(true);
    expect(await s.store.exists(key('bad'))).toBe(false);
    expect(readdirSync(spoolDir).filter((n) => n.endsWith('.corrupt'))).toHaveLength(2);
  });

  it('flushPending gives up at the deadline leaving files on disk, and empties the spool once the store is back', async () => {
    const s = switchableLocalStore();
    s.down();
    const spoolDir = tmpDir('spool');
    const u = uploader({ store: s.store, spoolDir, drainBackoff: { initialMs: 60_000, maxMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect(await u.upload(key(`f${i}`), bytes())).toBe('spooled');
    const t = Date.now();
    expect(await u.flushPending(300)).toEqual({ pendingFiles: 3, inMemoryFiles: 0 });
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
    expect(Date.now() - t).toBeLessThan(2000);
    expect(spoolFiles(spoolDir, '.bin')).toHaveLength(3);
    await s.up();
    // The background drainer waits a minute here; flushPending does not.
    expect(await u.flushPending(5000)).toEqual({ pendingFiles: 0, inMemoryFiles: 0 });
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(u.stats().reuploaded).toBe(3);
  });
});

describe('BronzeUploader on S3 (s3rver stopped and restarted)', () => {
  let s3: RestartableS3;
  beforeAll(async () => {
    s3 = await startRestartableS3();
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('uploads while S3 is up, spools while it is down, and drains byte-identical objects when it is back', async () => {
    const store = s3.store('lake');
    const spoolDir = tmpDir('spool-s3');
    const u = uploader({ store, spoolDir });
    const before = bytes(4096);
    expect(await u.upload(key('s3-before'), before)).toBe('uploaded');
    expect(readdirSync(spoolDir)).toEqual([]);

    await s3.stop();
    const during = [bytes(5000), bytes(1), bytes(70_000)];
    for (const [i, b] of during.entries()) expect(await u.upload(key(`s3-during-${i}`), b)).toBe('spooled');
    const bins = spoolFiles(spoolDir, '.bin');
    expect(bins).toHaveLength(3);
    bins.forEach((b, i) => expect(Buffer.from(readFileSync(path.join(spoolDir, b)))).toEqual(Buffer.from(during[i])));
    expect(u.stats().lastError).toMatch(/ECONNREFUSED/);
    await new Promise((r) => setTimeout(r, 200)); // a few failing drain passes
    expect(spoolFiles(spoolDir, '.bin')).toHaveLength(3);

    await s3.start();
    await waitFor(() => u.stats().pendingFiles === 0, 'drain to S3');
    expect(readdirSync(spoolDir)).toEqual([]);
    expect(Buffer.from(await store.get(key('s3-before')))).toEqual(Buffer.from(before));
    for (const [i, b] of during.entries()) expect(Buffer.from(await store.get(key(`s3-during-${i}`)))).toEqual(Buffer.from(b));
    expect(u.stats()).toMatchObject({ uploaded: 1, spooled: 3, reuploaded: 3, pendingFiles: 0 });
  });

  it('a new uploader recovers what a stopped one spooled during an S3 outage', async () => {
    const store = s3.store('lake');
    const spoolDir = tmpDir('spool-s3');
    await s3.stop();
    const first = uploader({ store, spoolDir });
    const body = bytes(12_345);
    expect(await first.upload(key('s3-restart'), body)).toBe('spooled');
    expect(await first.flushPending(100)).toEqual({ pendingFiles: 1, inMemoryFiles: 0 });
    await first.close();

    await s3.start();
    const second = uploader({ store, spoolDir });
    expect(await second.recoverPending()).toBe(1);
    expect(second.stats()).toMatchObject({ pendingFiles: 0, reuploaded: 1 });
    expect(Buffer.from(await store.get(key('s3-restart')))).toEqual(Buffer.from(body));
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});
