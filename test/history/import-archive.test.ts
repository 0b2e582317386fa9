import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ArchiveError } from '../../lib/history/archive-source';
import { detectUnit, parseArchiveName } from '../../lib/history/binance-klines-archive';
import { importArchive } from '../../lib/history/import-archive';
import { readTables } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { listAll } from '../../lib/storage/object-store';
import { tmpDir } from '../helpers/sample-rows';
import { makeZip } from '../helpers/zip';
import { testdataPath } from '../helpers/testdata';

const DOCS = testdataPath('binance_docs/public_data_readme_examples');
const spec = dataset('bronze', 'klines');

async function bronzeRows(store: LocalObjectStore) {
  const keys = (await listAll(store, 'bronze/klines/')).map((o) => o.key);
  return { keys, table: await readTables(store, spec, keys) };
}

describe('lakehouse import (Binance kline archives)', () => {
  it('reads a header-less spot ZIP with microsecond timestamps and verifies its .CHECKSUM', async () => {
    const dir = tmpDir('import-zip');
    const csv = await fs.readFile(path.join(DOCS, 'spot_klines_1h_example_2025_microseconds.csv'), 'utf8');
    const zipFile = path.join(dir, 'BNBBTC-1h-2025-01-01.zip');
    const zip = makeZip('BNBBTC-1h-2025-01-01.csv', csv);
    await fs.writeFile(zipFile, zip);
    await fs.writeFile(`${zipFile}.CHECKSUM`, `${createHash('sha256').update(zip).digest('hex')}  BNBBTC-1h-2025-01-01.zip\n`);
    const store = new LocalObjectStore(path.join(dir, 'lake'));
    const r = await importArchive({ store, file: zipFile, dataset: 'klines', exchange: 'binance' });
    expect(r).toMatchObject({ symbol: 'BNBBTC', interval: '1h', unit: 'us', rows: 1, rejected: 0, checksumVerified: true, files: 1 });
    const { keys, table } = await bronzeRows(store);
    expect(keys[0]).toMatch(/^bronze\/klines\/timeframe=1h\/exchange=binance\/symbol=BNBBTC\/dt=2025-01-01\/hour=00\/part-20250101T000000Z-archive-[0-9a-f]{16}\.parquet$/);
    expect(table.row(0)).toMatchObject({
      open_time: 1735689600000, close_time: 1735693199999, open: 4.1507, high: 4.1587, low: 4.1506, close: 4.1554,
      volume: 539.23, quote_volume: 2240.398609, trade_count: 13, taker_buy_volume: 401.82, taker_buy_quote_volume: 1669.981213,
      is_closed: true, event_time: null, base: 'BNB', quote: 'BTC', source: 'archive',
    });
  });

  it('refuses a file whose .CHECKSUM does not match', async () => {
    const dir = tmpDir('import-bad-sum');
    const file = path.join(dir, 'BTCUSDT-1m-2024-01-01.zip');
    await fs.writeFile(file, makeZip('BTCUSDT-1m-2024-01-01.csv', '1704067200000,1,1,1,1,1,1704067259999,1,1,1,1,0\n'));
    await fs.writeFile(`${file}.CHECKSUM`, `${'0'.repeat(64)}  BTCUSDT-1m-2024-01-01.zip\n`);
    await expect(importArchive({ store: new LocalObjectStore(path.join(dir, 'lake')), file, dataset: 'klines', exchange: 'binance' }))
      .rejects.toThrow(ArchiveError);
    await expect(fs.readdir(path.join(dir, 'lake'))).rejects.toThrow();
  });

  it('quarantines unreadable records with their line and reason, and imports the rest', async () => {
    const dir = tmpDir('import-bad-lines');
    const file = path.join(dir, 'ETHUSDT-1m-2024-03.csv');
    await fs.writeFile(file, [
      'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore',
      '1709251200000,3400,3410,3390,3405,10,1709251259999,34000,100,5,17000,0',
      '1709251260000,3405,3406',
      '1709251320000,abc,3410,3390,3405,10,1709251379999,34000,100,5,17000,0',
      '1709251380000,3405,3410,3390,3405,10,1709251439999,34000,100.5,5,17000,0',
      '1709251440000,3405,3410,3390,3405,10,1709251499999,34000,100,5,17000,0',
    ].join('\n'));
    const store = new LocalObjectStore(path.join(dir, 'lake'));
    const r = await importArchive({ store, file, dataset: 'klines', exchange: 'binance-futures' });
    expect(r).toMatchObject({ rows: 2, rejected: 3, unit: 'ms' });
    const q = Buffer.from(await store.get(r.quarantineKey!)).toString().trim().split('\n').map((l) => JSON.parse(l));
    expect(q.map((x) => [x.line, x.reason])).toEqual([
      [3, 'expected 12 columns, got 3'],
      [4, 'open is not a number'],
      [5, 'trade_count=100.5 is not an integer'],
    ]);
    expect(r.quarantineKey).toMatch(/^quarantine\/klines\/exchange=binance-futures\/symbol=ETHUSDT\/dt=2024-03-01\//);
  });

  it('is idempotent: importing the same file again rewrites the same objects', async () => {
    const dir = tmpDir('import-twice');
    const file = path.join(dir, 'SOLUSDT-1m-2024-01-01.csv');
    const lines = Array.from({ length: 180 }, (_, i) => {
      const t = Date.UTC(2024, 0, 1) + i * 60_000;
      return `${t},100,101,99,100.5,3,${t + 59_999},300,7,1,100,0`;
    });
    await fs.writeFile(file, lines.join('\n'));
    const store = new LocalObjectStore(path.join(dir, 'lake'));
    await importArchive({ store, file, dataset: 'klines', exchange: 'binance' });
    const first = await bronzeRows(store);
    await importArchive({ store, file, dataset: 'klines', exchange: 'binance' });
    const second = await bronzeRows(store);
    expect(first.keys).toHaveLength(3);
    expect(second.keys).toEqual(first.keys);
    expect(second.table.length).toBe(180);
  });

  it('asks for what it cannot infer, and refuses unsupported datasets', async () => {
    const store = new LocalObjectStore(tmpDir('import-flags'));
    await expect(importArchive({ store, file: 'data.csv', dataset: 'klines', exchange: 'binance' })).rejects.toThrow(/--symbol is required/);
    await expect(importArchive({ store, file: 'data.csv', dataset: 'klines', exchange: 'binance', symbol: 'X' })).rejects.toThrow(/--interval must be one of/);
    await expect(importArchive({ store, file: 'data.csv', dataset: 'quotes', exchange: 'binance' })).rejects.toThrow(/not supported/);
  });

  it('detects the timestamp unit from the value and names from archive file names', () => {
    expect(detectUnit(1735689600000)).toBe('ms');
    expect(detectUnit(1735689600000000)).toBe('us');
    expect(parseArchiveName('LINKUSDT-1m-2023-02.csv')).toEqual({ symbol: 'LINKUSDT', interval: '1m' });
    expect(parseArchiveName('BTCUSDT-15m-2025-01-01.zip')).toEqual({ symbol: 'BTCUSDT', interval: '15m' });
    expect(parseArchiveName('notes.txt')).toEqual({});
  });
});
