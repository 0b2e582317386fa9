import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { listAll, NotFoundError, type ObjectStore } from '../../lib/storage/object-store';
import { startS3, type LocalS3 } from '../helpers/s3rver';
import { tmpDir } from '../helpers/sample-rows';

/** The same contract, run against both implementations. */
function contract(name: string, make: () => ObjectStore) {
  describe(`${name} object store`, () => {
    let store: ObjectStore;
    beforeAll(() => {
      store = make();
    });

    it('puts, gets, replaces and deletes objects', async () => {
      await store.put('a/b/c.txt', 'one');
      expect(Buffer.from(await store.get('a/b/c.txt')).toString()).toBe('one');
      await store.put('a/b/c.txt', new Uint8Array([116, 119, 111]));
      expect(Buffer.from(await store.get('a/b/c.txt')).toString()).toBe('two');
      expect(await store.exists('a/b/c.txt')).toBe(true);
      await store.delete('a/b/c.txt');
      expect(await store.exists('a/b/c.txt')).toBe(false);
      expect(await store.tryGet('a/b/c.txt')).toBeUndefined();
      await expect(store.get('a/b/c.txt')).rejects.toBeInstanceOf(NotFoundError);
      await store.delete('never/there');
    });

    it('uploads a file from disk', async () => {
      const src = path.join(tmpDir('src'), 'f.bin');
      await fs.writeFile(src, Buffer.alloc(300_000, 7));
      await store.putFile('files/f.bin', src);
      const back = await store.get('files/f.bin');
      expect(back.byteLength).toBe(300_000);
      expect(back[299_999]).toBe(7);
    });

    it('lists every key under a prefix in key order, and the sub-folders of a prefix', async () => {
      await Promise.all(['p/x=1/a', 'p/x=1/b', 'p/x=2/c', 'p/y', 'q/z', 'p2/w'].map((k) => store.put(k, k)));
      expect((await listAll(store, 'p/')).map((o) => o.key)).toEqual(['p/x=1/a', 'p/x=1/b', 'p/x=2/c', 'p/y']);
      expect((await listAll(store, 'p/x=1/')).map((o) => o.size)).toEqual([7, 7]);
      expect(await store.listPrefixes('p/')).toEqual(['p/x=1/', 'p/x=2/']);
      expect(await store.listPrefixes('none/')).toEqual([]);
    });
  });
}

contract('local', () => new LocalObjectStore(tmpDir('local-store')));

describe('S3 (s3rver on 127.0.0.1)', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3?.close();
  });

  contract('s3', () => s3.store('lake-root'));

  it('pages through a listing of more than 1,000 keys', async () => {
    const store = s3.store('many');
    const keys = Array.from({ length: 1_205 }, (_, i) => `bronze/k/part-${String(i).padStart(5, '0')}.parquet`);
    for (let i = 0; i < keys.length; i += 8) await Promise.all(keys.slice(i, i + 8).map((k) => store.put(k, 'x')));
    const listed = await listAll(store, 'bronze/');
    expect(listed).toHaveLength(1_205);
    expect(listed.map((o) => o.key)).toEqual(keys);
  });

  it('keeps objects of another prefix out of a prefixed store', async () => {
    await s3.store('one').put('k', '1');
    await s3.store('two').put('k', '2');
    expect((await listAll(s3.store('one'), '')).map((o) => o.key)).toEqual(['k']);
    expect(s3.store('one').url).toBe('s3://lake/one/');
  });
});

describe('local store atomic replace', () => {
  it('never exposes a partial file and leaves no temporary files behind', async () => {
    const root = tmpDir('atomic');
    const store = new LocalObjectStore(root);
    const big = Buffer.alloc(5_000_000, 1);
    await store.put('d/file.bin', Buffer.alloc(10, 0));
    // Readers racing a replace see the old or the new object, whole.
    const writes = store.put('d/file.bin', big);
    const sizes: number[] = [];
    for (let i = 0; i < 20; i++) sizes.push((await store.get('d/file.bin')).byteLength);
    await writes;
    for (const s of sizes) expect([10, 5_000_000]).toContain(s);
    expect(await fs.readdir(path.join(root, 'd'))).toEqual(['file.bin']);
    expect((await listAll(store, '')).map((o) => o.key)).toEqual(['d/file.bin']);
  });

  it('refuses keys that escape the lake folder', async () => {
    const store = new LocalObjectStore(tmpDir('escape'));
    await expect(store.put('../outside', 'x')).rejects.toThrow(/escapes the lake/);
  });
});
