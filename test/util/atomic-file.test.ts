import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { atomicTempPath, writeFileAtomic } from '../../lib/util/atomic-file';
import { tmpDir } from '../helpers/sample-rows';

describe('writeFileAtomic', () => {
  it('writes and replaces a file, leaving no temporary file behind', async () => {
    const dir = tmpDir('atomic');
    const file = path.join(dir, 'state.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, new Uint8Array([116, 119, 111]), { sync: true });
    expect(readFileSync(file, 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['state.json']);
  }, 10_000);

  it('names the temporary file after the target and the tag, in the same folder', () => {
    expect(atomicTempPath('/spool/0001.bin', 'ab12cd34')).toBe(path.join('/spool', '.0001.bin.ab12cd34.tmp'));
  }, 5_000);

  it('throws and leaves the target as it was when the write fails', async () => {
    const dir = tmpDir('atomic');
    const file = path.join(dir, 'health.json');
    writeFileSync(file, 'old');
    // A folder where the temporary file should go: opening it for writing fails.
    mkdirSync(atomicTempPath(file, 'blocked'));
    await expect(writeFileAtomic(file, 'new', { tag: 'blocked' })).rejects.toThrow();
    expect(readFileSync(file, 'utf8')).toBe('old');
    await expect(writeFileAtomic(path.join(dir, 'missing', 'x.json'), 'new')).rejects.toThrow(/ENOENT/);
    expect(existsSync(path.join(dir, 'missing'))).toBe(false);
  }, 10_000);
});
