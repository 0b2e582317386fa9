import { createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { ArchiveError } from '../../lib/history/archive-source';
import { detectUnit, parseArchiveName } from '../../lib/history/binance-klines-archive';
import { importArchive, type ImportOptions } from '../../lib/history/import-archive';
import { readTable, readTables } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { runSilver } from '../../lib/silver/silver-job';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { listAll } from '../../lib/storage/object-store';
import { lakehouse } from '../helpers/cli';
import { tmpDir } from '../helpers/sample-rows';
import { makeZip, makeZipOf } from '../helpers/zip';
import { testdataPath } from '../helpers/testdata';
import { seededShuffle } from '../helpers/shuffle';

const DOCS = testdataPath('binance_docs/public_data_readme_examples');
const spec = dataset('bronze', 'klines');
const qSpec = dataset('quarantine', 'klines');

/** The real LINKUSDT futures month: its header and 40,320 data lines (2023-02-01 00:00 onwards, one a minute). */
const LINK_FILE = testdataPath('binance_um_futures_klines_1m/LINKUSDT-1m-2023-02.csv');
const [LINK_HEADER, ...LINK] = readFileSync(LINK_FILE, 'latin1').trimEnd().split('\n');
const DAY1 = LINK.slice(0, 1440);

async function bronzeRows(store: LocalObjectStore) {
  const keys = (await listAll(store, 'bronze/klines/')).map((o) => o.key);
  return { keys, table: await readTables(store, spec, keys) };
}

/** Writes `content` as `name` in a fresh folder; returns the file and a store for a lake beside it. */
async function fixture(prefix: string, name: string, content: string | Buffer) {
  const dir = tmpDir(prefix);
  const file = path.join(dir, name);
  await fs.writeFile(file, content);
  return { dir, file, store: new LocalObjectStore(path.join(dir, 'lake')) };
}

const imp = (store: LocalObjectStore, file: string, o: Partial<ImportOptions> = {}) =>
  importArchive({ store, file, dataset: 'klines', exchange: 'binance-futures', ...o });

/** A message matched literally: the start of `text`, or all of it with `whole`. */
const literal = (text: string, whole = false) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${whole ? '$' : ''}`);

/** Nothing at all under the lake folder: the file was refused before a single write. */
async function expectEmptyLake(dir: string) {
  await expect(fs.readdir(path.join(dir, 'lake'))).rejects.toThrow();
}

describe('lakehouse import (Binance kline archives)', () => {
  it('reads a header-less spot ZIP with microsecond timestamps and verifies its .CHECKSUM', async () => {
    const csv = await fs.readFile(path.join(DOCS, 'spot_klines_1h_example_2025_microseconds.csv'), 'utf8');
    const zip = makeZip('BNBBTC-1h-2025-01-01.csv', csv);
    const { file: zipFile, store } = await fixture('import-zip', 'BNBBTC-1h-2025-01-01.zip', zip);
    await fs.writeFile(`${zipFile}.CHECKSUM`, `${createHash('sha256').update(zip).digest('hex')}  BNBBTC-1h-2025-01-01.zip\n`);
    const r = await importArchive({ store, file: zipFile, dataset: 'klines', exchange: 'binance' });
    expect(r).toMatchObject({
      symbol: 'BNBBTC',
      interval: '1h',
      unit: 'us',
      rows: 1,
      rejected: 0,
      checksumVerified: true,
      files: 1,
    });
    const { keys, table } = await bronzeRows(store);
    expect(keys[0]).toMatch(
      /^bronze\/klines\/timeframe=1h\/exchange=binance\/symbol=BNBBTC\/dt=2025-01-01\/hour=00\/part-20250101T000000Z-archive-[0-9a-f]{16}\.parquet$/,
    );
    expect(table.row(0)).toMatchObject({
      open_time: 1735689600000,
      close_time: 1735693199999,
      open: 4.1507,
      high: 4.1587,
      low: 4.1506,
      close: 4.1554,
      volume: 539.23,
      quote_volume: 2240.398609,
      trade_count: 13,
      taker_buy_volume: 401.82,
      taker_buy_quote_volume: 1669.981213,
      is_closed: true,
      event_time: null,
      base: 'BNB',
      quote: 'BTC',
      source: 'archive',
    });
  }, 30_000);

  it('refuses a file whose .CHECKSUM does not match', async () => {
    const { dir, file, store } = await fixture(
      'import-bad-sum',
      'BTCUSDT-1m-2024-01-01.zip',
      makeZip('BTCUSDT-1m-2024-01-01.csv', '1704067200000,1,1,1,1,1,1704067259999,1,1,1,1,0\n'),
    );
    await fs.writeFile(`${file}.CHECKSUM`, `${'0'.repeat(64)}  BTCUSDT-1m-2024-01-01.zip\n`);
    await expect(imp(store, file, { exchange: 'binance' })).rejects.toThrow(ArchiveError);
    await expectEmptyLake(dir);
  }, 30_000);

  it('quarantines unreadable records with their line and reason, and imports the rest', async () => {
    const good = Array.from({ length: 8 }, (_, i) => {
      const t = 1709251440000 + i * 60_000;
      return `${t},3405,3410,3390,3405,10,${t + 59_999},34000,100,5,17000,0`;
    });
    const { file, store } = await fixture(
      'import-bad-lines',
      'ETHUSDT-1m-2024-03.csv',
      [
        'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore',
        '1709251200000,3400,3410,3390,3405,10,1709251259999,34000,100,5,17000,0',
        '1709251260000,3405,3406',
        '1709251320000,abc,3410,3390,3405,10,1709251379999,34000,100,5,17000,0',
        '1709251380000,3405,3410,3390,3405,10,1709251439999,34000,100.5,5,17000,0',
        ...good,
      ].join('\n'),
    );
    const r = await imp(store, file);
    expect(r).toMatchObject({ records: 12, rows: 9, rejected: 3, unit: 'ms' });
    expect(r.rejectedByReason).toEqual({
      'expected 12 columns, got 3': 1,
      'open is not a number': 1,
      'trade_count is not an integer': 1,
    });
    expect(r.quarantineKey).toMatch(
      /^quarantine\/klines\/timeframe=1m\/exchange=binance-futures\/symbol=ETHUSDT\/dt=2024-03-01\/import-[0-9a-f]{16}\.parquet$/,
    );
    const q = await readTable(store, qSpec, r.quarantineKey!);
    expect(q.rows().map((x) => x.quarantine_reason)).toEqual([
      'expected 12 columns, got 3 (ETHUSDT-1m-2024-03.csv line 3: 1709251260000,3405,3406)',
      expect.stringMatching(/^open is not a number \(ETHUSDT-1m-2024-03\.csv line 4: 1709251320000,abc,/),
      expect.stringMatching(/^trade_count=100\.5 is not an integer \(ETHUSDT-1m-2024-03\.csv line 5: /),
    ]);
    // What could be read of a rejected line is kept in its columns.
    expect(q.row(2)).toMatchObject({ open_time: 1709251380000, open: 3405, trade_count: null, source: 'archive' });
  }, 30_000);

  it('asks for what it cannot infer, and refuses unsupported datasets', async () => {
    const store = new LocalObjectStore(tmpDir('import-flags'));
    await expect(importArchive({ store, file: 'data.csv', dataset: 'klines', exchange: 'binance' })).rejects.toThrow(
      /--symbol is required/,
    );
    await expect(importArchive({ store, file: 'data.csv', dataset: 'klines', exchange: 'binance', symbol: 'X' })).rejects.toThrow(
      /--interval must be one of/,
    );
    await expect(importArchive({ store, file: 'data.csv', dataset: 'quotes', exchange: 'binance' })).rejects.toThrow(
      /not supported/,
    );
  }, 30_000);

  it('detects the timestamp unit from the value and names from archive file names', () => {
    expect(detectUnit(1735689600000)).toBe('ms');
    expect(detectUnit(1735689600000000)).toBe('us');
    expect(detectUnit(1735689600)).toBe('s');
    expect(parseArchiveName('LINKUSDT-1m-2023-02.csv')).toEqual({ symbol: 'LINKUSDT', interval: '1m' });
    expect(parseArchiveName('BTCUSDT-15m-2025-01-01.zip')).toEqual({ symbol: 'BTCUSDT', interval: '15m' });
    expect(parseArchiveName('notes.txt')).toEqual({});
  }, 10_000);
});

describe('import keeps Bronze append-only: nothing overwritten, nothing lost', () => {
  it('keeps every row of a file in which an hour appears twice, apart, and stays idempotent', async () => {
    // A complete day, then its first 30 minutes again: the old import wrote hour 00 twice under one name.
    const content = [LINK_HEADER, ...DAY1, ...DAY1.slice(0, 30)].join('\n');
    const { file, store } = await fixture('import-repeat-hour', 'LINKUSDT-1m-2023-02-01.csv', content);
    const first = await imp(store, file);
    expect(first).toMatchObject({ records: 1470, rows: 1470, rejected: 0, duplicates: 30, files: 24, existing: 0 });
    const b1 = await bronzeRows(store);
    expect(b1.table.length).toBe(1470);
    const hour0 = b1.keys.filter((k) => k.includes('/hour=00/'));
    expect(hour0).toHaveLength(1);
    expect((await readTable(store, spec, hour0[0])).length).toBe(90);

    const again = await imp(store, file);
    expect(again).toMatchObject({ rows: 1470, rejected: 0, files: 0, existing: 24 });
    const b2 = await bronzeRows(store);
    expect(b2.keys).toEqual(b1.keys);
    expect(b2.table.length).toBe(1470);

    const [silver] = await runSilver({ store, dt: '2023-02-01' });
    expect(silver.report.klines_1m).toMatchObject({ rowsIn: 1470, duplicates: 30, kept: 1440, present: 1440, conflicts: 0 });
    expect(silver.report.verdict).toBe('PASS');
  }, 60_000);

  it('writes a shuffled file as one Bronze file per hour partition, each sorted by time', async () => {
    const lines = seededShuffle(LINK.slice(0, 2880), 12);
    const { file, store } = await fixture('import-shuffled', 'LINKUSDT-1m-2023-02.csv', lines.join('\n'));
    const r = await imp(store, file);
    expect(r).toMatchObject({ records: 2880, rows: 2880, rejected: 0, duplicates: 0, files: 48 });
    const { keys } = await bronzeRows(store);
    expect(keys).toHaveLength(48);
    let total = 0;
    for (const k of keys) {
      const open = (await readTable(store, spec, k)).num('open_time');
      total += open.length;
      expect(open.length).toBe(60);
      for (let i = 1; i < open.length; i++) expect(open[i]).toBeGreaterThan(open[i - 1]);
    }
    expect(total).toBe(2880);
  }, 60_000);

  it('bounds the rows a shuffled file holds: past the bound every hour held becomes a part; a re-import adds nothing', async () => {
    const lines = seededShuffle(LINK.slice(0, 2880), 7);
    const { file, store } = await fixture('import-shuffled-bounded', 'LINKUSDT-1m-2023-02.csv', lines.join('\n'));
    const r = await imp(store, file, { maxBufferedRows: 1000 });
    expect(r).toMatchObject({ rows: 2880, rejected: 0, existing: 0 });
    expect(r.files).toBeGreaterThan(48);
    const { keys, table } = await bronzeRows(store);
    expect(keys).toHaveLength(r.files);
    expect(table.length).toBe(2880);
    expect(new Set(table.num('open_time')).size).toBe(2880);
    expect(await imp(store, file, { maxBufferedRows: 1000 })).toMatchObject({ files: 0, existing: r.files });
    expect((await bronzeRows(store)).keys).toEqual(keys);
  }, 60_000);
});

describe('import checks every time against its file and exchange', () => {
  const toMicros = (line: string) => {
    const f = line.split(',');
    f[0] = `${f[0]}000`;
    f[6] = `${f[6]}999`;
    return f.join(',');
  };

  it('quarantines rows whose timestamp unit differs from the file’s instead of filing them under 2137 or +55058', async () => {
    const lines = [...DAY1.slice(0, 1100), ...DAY1.slice(1100).map(toMicros)];
    const { file, store } = await fixture('import-unit-switch', 'LINKUSDT-1m-2023-02-01.csv', lines.join('\n'));
    const r = await imp(store, file);
    expect(r).toMatchObject({ unit: 'ms', records: 1440, rows: 1100, rejected: 340 });
    expect(r.rejectedByReason).toEqual({ "open_time unit differs from the file's": 340 });
    const { keys } = await bronzeRows(store);
    expect(new Set(keys.map((k) => /dt=([^/]+)/.exec(k)![1]))).toEqual(new Set(['2023-02-01']));
    const q = await readTable(store, qSpec, r.quarantineKey!);
    expect(q.length).toBe(340);
    expect(q.row(0).quarantine_reason).toMatch(
      literal(
        "open_time unit differs from the file's: '1675275600000000' is microseconds, " +
          "the file's times are milliseconds (LINKUSDT-1m-2023-02-01.csv line 1101: ",
      ),
    );
  }, 60_000);

  it('quarantines rows before the exchange’s first data or in the future', async () => {
    // Kraken's OHLCVT layout, epoch seconds: two rows from 2011 (before Kraken traded), one from 2099.
    const kraken = readFileSync(testdataPath('kraken/BTCUSDC_1m_2023Q1.csv'), 'latin1').split('\n').slice(0, 200);
    kraken.splice(50, 0, '1300000020,1,1,1,1,1,1', '1300000080,1,1,1,1,1,1');
    kraken.push('4070908800,1,1,1,1,1,1');
    const { file, store } = await fixture('import-era', 'BTCUSDC_1m_2023Q1.csv', kraken.join('\n'));
    const r = await imp(store, file, { exchange: 'kraken', symbol: 'BTC/USDC' });
    expect(r).toMatchObject({ unit: 's', layout: 'kraken-ohlcvt', rows: 200, rejected: 3 });
    expect(r.rejectedByReason).toEqual({ "open_time before kraken's first data (2013-09-01)": 2, 'open_time in the future': 1 });
  }, 30_000);

  it('rejects future rows against the import clock, so archive data can never look fresher than now', async () => {
    const { file, store } = await fixture('import-future', 'LINKUSDT-1m-2023-02-01.csv', DAY1.join('\n'));
    const r = await imp(store, file, { now: () => Date.parse('2023-02-01T20:00:00Z') });
    // Up to now + 5 min of clock skew: 20:05 is the last minute imported.
    expect(r).toMatchObject({ rows: 20 * 60 + 6, rejected: 1440 - 1206, lastTime: Date.parse('2023-02-01T20:05:00Z') });
    expect(r.rejectedByReason).toEqual({ 'open_time in the future': 234 });
  }, 30_000);

  it('refuses a Lean minute file (milliseconds since midnight) whole, with one line', async () => {
    const dir = tmpDir('import-lean');
    const store = new LocalObjectStore(path.join(dir, 'lake'));
    const file = testdataPath('lean_binance/btcbusd_minute_20221213_trade.zip');
    await expect(imp(store, file, { exchange: 'binance', symbol: 'BTCBUSD', interval: '1m' })).rejects.toThrow(
      literal(
        'btcbusd_minute_20221213_trade.zip: none of its 1440 rows can be imported ' +
          "(1440 × open_time before binance's first data (2017-07-01), first at line 1): " +
          'likely the wrong dataset or format; nothing imported',
        true,
      ),
    );
    await expectEmptyLake(dir);
  }, 30_000);

  it('refuses aggTrades and trades archives given as klines', async () => {
    const spotAgg = await fs.readFile(path.join(DOCS, 'spot_aggTrades_example_2025_microseconds.csv'), 'utf8');
    const a = await fixture('import-aggtrades', 'BTCUSDT-aggTrades-2025-01-01.csv', spotAgg);
    await expect(imp(a.store, a.file, { exchange: 'binance', symbol: 'BTCUSDT', interval: '1m' })).rejects.toThrow(
      /lines have 8 columns, which no kline layout has .*aggTrades archives have 8 columns/,
    );
    await expectEmptyLake(a.dir);
    // USD-M trades with their header: 6 columns like an OHLCV download, but the header names no prices.
    const um = `id,price,qty,quote_qty,time,is_buyer_maker\n${await fs.readFile(path.join(DOCS, 'um_futures_trades_example.csv'), 'utf8')}`;
    const t = await fixture('import-trades', 'BTCUSDT-trades-2023-01.csv', um);
    await expect(imp(t.store, t.file, { symbol: 'BTCUSDT', interval: '1m' })).rejects.toThrow(
      /names no open\/high\/low\/close columns: not a klines file/,
    );
    // The same without a header: trade ids read as epoch seconds fall in 1970.
    const trades = Array.from({ length: 50 }, (_, i) => `${28457 + i},4.00000100,12.00000000,48.00,${1499865549590 + i},true`);
    const bare = await fixture('import-trades-bare', 'BTCUSDT-trades-2023-01.csv', trades.join('\n'));
    await expect(imp(bare.store, bare.file, { symbol: 'BTCUSDT', interval: '1m' })).rejects.toThrow(
      /none of its 50 rows can be imported/,
    );
  }, 30_000);
});

describe('import is all-or-nothing per file', () => {
  const day = `${DAY1.join('\n')}\n`;

  it('refuses a ZIP whose data is corrupt (directory intact), naming the file and where reading stopped, and writes nothing', async () => {
    const zip = makeZip('LINKUSDT-1m-2023-02-01.csv', day);
    const dataStart = 30 + 'LINKUSDT-1m-2023-02-01.csv'.length;
    for (const at of [10, 2_000, 20_000]) {
      const bad = Buffer.from(zip);
      bad[dataStart + at] ^= 0x5a;
      const { dir, file, store } = await fixture('import-corrupt-zip', 'LINKUSDT-1m-2023-02-01.zip', bad);
      await expect(imp(store, file)).rejects.toThrow(
        /^LINKUSDT-1m-2023-02-01\.zip \(LINKUSDT-1m-2023-02-01\.csv\): (unreadable at line \d+ \(byte \d+ of the|corrupt ZIP)/,
      );
      await expectEmptyLake(dir);
    }
  }, 60_000);

  it('refuses a ZIP whose data inflates but fails its CRC-32 (DEFLATE alone would pass garbage rows)', async () => {
    const zip = makeZip('LINKUSDT-1m-2023-02-01.csv', day);
    // The CRC in the central directory (what the reader trusts), flipped.
    const cd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(zip.readUInt32LE(cd + 16) ^ 1, cd + 16);
    const { dir, file, store } = await fixture('import-crc', 'LINKUSDT-1m-2023-02-01.zip', zip);
    await expect(imp(store, file)).rejects.toThrow(/corrupt ZIP: CRC-32 of the \d+ bytes read does not match/);
    await expectEmptyLake(dir);
  }, 30_000);

  it('quarantines a binary garbage line holding quote characters, with its line number, and imports the rest', async () => {
    const garbage = '\x00\x9f"\xff,"x\x01"",\x1b[0m"';
    const content = [...DAY1.slice(0, 700), garbage, ...DAY1.slice(700)].join('\n');
    const { file, store } = await fixture('import-garbage', 'LINKUSDT-1m-2023-02-01.csv', content);
    const r = await imp(store, file);
    expect(r).toMatchObject({ records: 1441, rows: 1440, rejected: 1, rejectedByReason: { 'expected 12 columns, got 3': 1 } });
    const q = await readTable(store, qSpec, r.quarantineKey!);
    expect(q.row(0).quarantine_reason).toMatch(/ \(LINKUSDT-1m-2023-02-01\.csv line 701: /);
  }, 30_000);

  it('refuses a truncated ZIP with one line on stderr and exit 2, never a stack trace', async () => {
    const zip = makeZip('LINKUSDT-1m-2023-02-01.csv', day);
    const { dir, file } = await fixture('import-cli-corrupt', 'LINKUSDT-1m-2023-02-01.zip', zip.subarray(0, zip.length - 40));
    const r = await lakehouse(
      ['import', '--file', file, '--dataset', 'klines', '--exchange', 'binance-futures', '--lake', path.join(dir, 'lake')],
      { timeoutMs: 50_000 },
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^lakehouse: LINKUSDT-1m-2023-02-01\.zip: not a readable ZIP/),
    ]);
    expect(r.stdout).toBe('');
    await expectEmptyLake(dir);
  }, 60_000);
});

describe('import detects the layout from many lines, not the first', () => {
  it('quarantines a garbage first line instead of letting it pick the layout', async () => {
    for (const first of ['\x13\x37\x00garbage,,,', 'a,b,c,d,e,f']) {
      const { file, store } = await fixture('import-first-line', 'LINKUSDT-1m-2023-02-01.csv', [first, ...DAY1].join('\n'));
      const r = await imp(store, file);
      expect(r).toMatchObject({ layout: 'binance-archive', unit: 'ms', records: 1441, rows: 1440, rejected: 1 });
      const { table } = await bronzeRows(store);
      for (const c of ['close_time', 'quote_volume', 'trade_count', 'taker_buy_volume', 'taker_buy_quote_volume']) {
        expect(table.num(c).some((v) => Number.isNaN(v))).toBe(false);
      }
    }
  }, 60_000);
});

describe('import refuses what it would misfile', () => {
  it('refuses a ZIP holding two CSV files, naming them', async () => {
    const content = DAY1.join('\n');
    const zip = makeZipOf([
      { name: 'LINKUSDT-1m-2023-02-01.csv', content },
      { name: 'AVAXUSDT-1m-2023-02-01.csv', content },
    ]);
    const { dir, file, store } = await fixture('import-two-csv', 'LINKUSDT-1m-2023-02-01.zip', zip);
    await expect(imp(store, file)).rejects.toThrow(
      literal(
        'LINKUSDT-1m-2023-02-01.zip: the ZIP holds 2 CSV files (LINKUSDT-1m-2023-02-01.csv, AVAXUSDT-1m-2023-02-01.csv); ' +
          'import takes one per ZIP',
      ),
    );
    await expectEmptyLake(dir);
  }, 30_000);

  it('quarantines a last line cut short (no newline, a field shorter than its column’s precision or missing)', async () => {
    // Without the trailing `ignore` column the last field is taker_buy_quote_volume, always printed with 5 decimals.
    const eleven = DAY1.map((l) => l.slice(0, l.lastIndexOf(',')));
    const last = eleven[eleven.length - 1];
    const cut = last.slice(0, last.lastIndexOf('.'));
    const a = await fixture('import-cut-field', 'LINKUSDT-1m-2023-02-01.csv', [...eleven.slice(0, -1), cut].join('\n'));
    const r = await imp(a.store, a.file);
    expect(r).toMatchObject({ rows: 1439, rejected: 1 });
    expect(r.rejectedByReason).toEqual({ 'last line cut short': 1 });
    const q = await readTable(a.store, qSpec, r.quarantineKey!);
    expect(q.row(0).quarantine_reason).toMatch(
      /^last line cut short: column 11 '\d+' has 0 decimals where the column has 5, and no/,
    );
    // Cut inside the row: fewer columns than every other line.
    const b = await fixture(
      'import-cut-row',
      'LINKUSDT-1m-2023-02-01.csv',
      [...DAY1.slice(0, -1), DAY1[1439].slice(0, 40)].join('\n'),
    );
    expect(await imp(b.store, b.file)).toMatchObject({ rows: 1439, rejected: 1, rejectedByReason: { 'last line cut short': 1 } });
    // A complete last line without a newline (Lean's files end so) is fine.
    const c = await fixture('import-no-newline', 'LINKUSDT-1m-2023-02-01.csv', DAY1.join('\n'));
    expect(await imp(c.store, c.file)).toMatchObject({ rows: 1440, rejected: 0 });
  }, 60_000);

  it('refuses an interval the data contradicts, with one line', async () => {
    const a = await fixture('import-1m-as-1h', 'LINKUSDT-1m-2023-02-01.csv', DAY1.join('\n'));
    await expect(imp(a.store, a.file, { interval: '1h' })).rejects.toThrow(
      literal(
        'LINKUSDT-1m-2023-02-01.csv: the rows are 1m klines (close_time − open_time + 1 = 60000 ms in 100 % of them), not 1h ' +
          '(the interval 1h comes from --interval); nothing imported',
        true,
      ),
    );
    await expectEmptyLake(a.dir);
    // Kraken's 1m download (no close time): the step between rows tells.
    const kraken = readFileSync(testdataPath('kraken/BTCUSDC_1m_2023Q1.csv'), 'latin1').split('\n').slice(0, 3000).join('\n');
    const b = await fixture('import-kraken-5m', 'BTCUSDC.csv', kraken);
    await expect(imp(b.store, b.file, { exchange: 'kraken', symbol: 'BTC/USDC', interval: '5m' })).rejects.toThrow(
      /only [\d.]+ % of the open times fall on the 5m grid \(most fall on the 1m grid\): the data is finer than 5m \(the interval/,
    );
    // Hourly rows declared 1m (here by the file name).
    const us = readFileSync(testdataPath('binance_us_klines_1m/BTCUSDT_1m_20230301_20230321.csv'), 'latin1').split('\n');
    const hourly = [us[0], ...us.slice(1).filter((_, i) => i % 60 === 0)].join('\n');
    const c = await fixture('import-1h-as-1m', 'BTCUSDT_1m_20230301_20230321.csv', hourly);
    await expect(imp(c.store, c.file, { exchange: 'binanceus' })).rejects.toThrow(
      /consecutive rows are 1h apart \(100 % of them\), not 1m \(the interval 1m comes from the file name\)/,
    );
  }, 60_000);

  it('says on stderr how many rows were quarantined and why, with the results on stdout', async () => {
    const content = [...DAY1.slice(0, 700), 'garbage', ...DAY1.slice(700)].join('\n');
    const { dir, file } = await fixture('import-cli-quarantine', 'LINKUSDT-1m-2023-02-01.csv', content);
    const r = await lakehouse(
      ['import', '--file', file, '--dataset', 'klines', '--exchange', 'binance-futures', '--lake', path.join(dir, 'lake')],
      { timeoutMs: 50_000 },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows: 1440, rejected: 1 });
    expect(r.stderr).toMatch(
      /^lakehouse: import: 1 of 1441 rows quarantined \(1 × expected 12 columns, got 1\) in quarantine\/klines\/timeframe=1m\/\S+$/m,
    );
    // The rejected line is in the registry's quarantine table, next to what Silver quarantines.
    const sql = 'select dt, quarantine_reason from quarantine_klines';
    const q = await lakehouse(['query', sql, '--format', 'json', '--lake', path.join(dir, 'lake')], { timeoutMs: 50_000 });
    expect(JSON.parse(q.stdout)).toEqual({
      dt: '2023-02-01',
      quarantine_reason: 'expected 12 columns, got 1 (LINKUSDT-1m-2023-02-01.csv line 701: garbage)',
    });
  }, 60_000);
});
