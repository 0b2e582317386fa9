import fs from 'node:fs';
import path from 'node:path';

/**
 * The shared real exchange files (see shared/testdata/README.md) live beside the repository, not in it.
 * CI clones the repository wherever it likes, so look for them upwards from the checkout, then at the
 * machine's fixed place; LAKEHOUSE_TESTDATA overrides both.
 */
function locateTestdata(): string {
  const fromEnv = process.env.LAKEHOUSE_TESTDATA;
  if (fromEnv) return path.resolve(fromEnv);
  const candidates: string[] = [];
  for (let dir = path.resolve(__dirname, '../..'); ; dir = path.dirname(dir)) {
    candidates.push(path.join(dir, 'shared', 'testdata'), path.join(dir, '..', 'shared', 'testdata'));
    if (path.dirname(dir) === dir) break;
  }
  candidates.push('/work/shared/testdata');
  const found = candidates.find((c) => fs.existsSync(path.join(c, 'binance_um_futures_klines_1m')));
  if (!found) {
    throw new Error(`shared testdata not found (looked in ${candidates.slice(0, 3).join(', ')}, …); set LAKEHOUSE_TESTDATA`);
  }
  return found;
}

export const TESTDATA = locateTestdata();

export function testdataPath(...parts: string[]): string {
  return path.join(TESTDATA, ...parts);
}
