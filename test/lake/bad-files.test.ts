import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileChecks, scanDataset, scanLake } from '../../lib/lake/bad-files';
import { partitionPathProblem } from '../../lib/lake/partition-folders';
import { LakeQueryEngine } from '../../lib/local/duckdb-lake';
import { readTable, UnreadableFileError } from '../../lib/parquet/read';
import { parquetBytesProblem } from '../../lib/parquet/verify';
import { dataset } from '../../lib/schema/registry';
import { listAll } from '../../lib/storage/object-store';
import type { BadFile } from '../../lib/lake/bad-files';
import { UserError } from '../../lib/util/errors';
import {
  bronzeKlinesKey,
  BTC,
  cleanLake,
  copyInto,
  D1,
  D2,
  damage,
  DAMAGES,
  ETH,
  FOOTER,
  goldFeaturesKey,
  silverKlinesKey,
  X_Y,
} from '../helpers/bad-lake';
import { tmpDir } from '../helpers/sample-rows';

/**
 * The file checks behind every reader (docs/bad-files.md): the footer test, the partition-folder test, the verdict
 * cache, and DuckDB views that leave bad files out — in Bronze, Silver and Gold positions — instead of failing.
 */

const { clean, fresh } = cleanLake('bad-files');

describe('the footer check', () => {
  it('tells a sound file from truncated, empty and text ones, and says why', async () => {
    const good = await clean.get(silverKlinesKey(BTC, D1));
    expect(parquetBytesProblem(good)).toBeUndefined();
    expect(parquetBytesProblem(good.subarray(0, 100))).toBe(FOOTER);
    expect(parquetBytesProblem(good.subarray(0, good.length - 1))).toMatch(/^no Parquet footer/);
    expect(parquetBytesProblem(new Uint8Array())).toBe('empty file (0 bytes)');
    expect(parquetBytesProblem(Buffer.from('PAR1'))).toBe('too short for Parquet (4 bytes)');
    expect(parquetBytesProblem(Buffer.from('price,qty\n1,2\n'))).toMatch(/^no Parquet footer/);
    // A footer that claims more than the file holds, and one that does not decode.
    const long = Buffer.from(good);
    long.writeUInt32LE(good.length, good.length - 8);
    expect(parquetBytesProblem(long)).toMatch(/^footer length \d+ exceeds the file/);
    const garbled = Buffer.from(good);
    const footerLength = garbled.readUInt32LE(garbled.length - 8);
    garbled.fill(0xff, garbled.length - 8 - footerLength, garbled.length - 8);
    expect(parquetBytesProblem(garbled)).toMatch(/^footer does not decode|lies outside the file/);
  }, 10_000);

  it('makes readTable name the file and the reason in an UnreadableFileError', async () => {
    const store = await fresh();
    const key = silverKlinesKey(ETH, D1);
    await damage(store, key, 'truncated');
    const error = await readTable(store, dataset('silver', 'klines'), key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableFileError);
    expect(error).toMatchObject({ key, reason: FOOTER });
    expect((error as Error).message).toBe(`${key}: ${FOOTER}`);
  }, 10_000);
});

describe('the partition-folder check', () => {
  const silver = dataset('silver', 'klines');
  const bronze = dataset('bronze', 'trades');
  const S = 'silver/klines/timeframe=1m/exchange=binance/';
  it.each([
    [`${S}symbol=BTCUSDT/dt=2024-05-01/data.parquet`, undefined],
    [`${S}symbol=X=Y/dt=2024-05-01/data.parquet`, { folder: `${S}symbol=X=Y/`, reason: X_Y }],
    [
      `${S}symbol=BTCUSDT/dt=notadate/data.parquet`,
      { folder: `${S}symbol=BTCUSDT/dt=notadate/`, reason: "'dt=notadate' is not a date partition (dt=YYYY-MM-DD)" },
    ],
    [
      `${S}symbol=BTCUSDT/dt=2024-02-30/data.parquet`,
      { folder: `${S}symbol=BTCUSDT/dt=2024-02-30/`, reason: "'dt=2024-02-30' is not a date partition (dt=YYYY-MM-DD)" },
    ],
    [`${S}data.parquet`, { folder: S, reason: 'a file above the partition folders (expected symbol=… here)' }],
    [
      `${S}symbol=BTCUSDT/dt=2024-05-01/old/data.parquet`,
      { folder: `${S}symbol=BTCUSDT/dt=2024-05-01/old/`, reason: 'a folder below the last partition folder' },
    ],
    [
      'silver/klines/exchange=binance/symbol=BTCUSDT/dt=2024-05-01/x/data.parquet',
      { folder: 'silver/klines/exchange=binance/', reason: "'exchange=binance' is not a timeframe=… partition folder" },
    ],
  ])(
    'silver_klines: %s',
    (key, expected) => {
      expect(partitionPathProblem(silver, key)).toEqual(expected);
    },
    5_000,
  );

  const T = 'bronze/trades/exchange=binance/symbol=BTCUSDT/dt=2024-05-01/';
  it.each([
    [`${T}hour=23/part-1.parquet`, undefined],
    [`${T}hour=xx/part-1.parquet`, "'hour=xx' is not an hour partition (hour=00…23)"],
    [`${T}hour=24/part-1.parquet`, "'hour=24' is not an hour partition (hour=00…23)"],
    ['bronze/trades/exchange=/symbol=BTCUSDT/dt=2024-05-01/hour=01/part-1.parquet', "'exchange=' has an empty exchange"],
  ])(
    'bronze_trades: %s',
    (key, reason) => {
      expect(partitionPathProblem(bronze, key)?.reason).toBe(reason);
    },
    5_000,
  );
});

describe('scanning and the verdict cache', () => {
  it('sorts a dataset into good files and bad files and folders, each bad folder once with its file count', async () => {
    const store = await fresh();
    await damage(store, bronzeKlinesKey(BTC, D1, 3), 'truncated');
    await damage(store, bronzeKlinesKey(BTC, D1, 4), 'empty');
    await damage(store, bronzeKlinesKey(ETH, D2, 5), 'text');
    await copyInto(
      store,
      bronzeKlinesKey(BTC, D1, 6),
      'bronze/klines/timeframe=1m/exchange=binance/symbol=X=Y/dt=2024-05-01/hour=06/',
    );
    await copyInto(
      store,
      bronzeKlinesKey(BTC, D1, 7),
      'bronze/klines/timeframe=1m/exchange=binance/symbol=X=Y/dt=2024-05-01/hour=07/',
    );
    const scan = await scanDataset(store, dataset('bronze', 'klines'), await FileChecks.open(store));
    expect(scan.files).toHaveLength(4 * 24 - 3);
    const view = { layer: 'bronze', view: 'bronze_klines' };
    expect(scan.bad).toEqual([
      { ...view, key: bronzeKlinesKey(BTC, D1, 3), reason: FOOTER },
      { ...view, key: bronzeKlinesKey(BTC, D1, 4), reason: 'empty file (0 bytes)' },
      { ...view, key: bronzeKlinesKey(ETH, D2, 5), reason: FOOTER },
      { ...view, key: 'bronze/klines/timeframe=1m/exchange=binance/symbol=X=Y/', reason: X_Y, files: 2 },
    ]);
  }, 30_000);

  it('remembers verdicts by size and mtime in .lakehouse/, re-checks a changed file, and forgets deleted ones', async () => {
    const store = await fresh();
    const key = silverKlinesKey(BTC, D2, '5m');
    const file = path.join(store.localRoot, key);
    await scanLake(store);
    const cache = path.join(store.localRoot, '.lakehouse/file-checks.json');
    const saved = JSON.parse(await fs.readFile(cache, 'utf8')) as { files: Record<string, unknown[]> };
    expect(saved.files[key]).toEqual([(await fs.stat(file)).size, (await fs.stat(file)).mtime.getTime()]);
    // The cache is trusted while size and mtime match: overwrite with same-size garbage and put the mtime back.
    const { size, mtime } = await fs.stat(file);
    await fs.writeFile(file, Buffer.alloc(size, 0x41));
    await fs.utimes(file, mtime, mtime);
    const silver = dataset('silver', 'klines');
    expect((await scanDataset(store, silver, await FileChecks.open(store))).bad).toEqual([]);
    // A changed mtime is a changed file: checked again.
    await fs.utimes(file, new Date(), new Date(mtime.getTime() + 5_000));
    expect((await scanDataset(store, silver, await FileChecks.open(store))).bad.map((b) => b.key)).toEqual([key]);
    await fs.rm(file);
    await scanLake(store);
    expect(Object.keys((JSON.parse(await fs.readFile(cache, 'utf8')) as { files: object }).files)).not.toContain(key);
    // The cache folder is invisible to the lake's own listings.
    expect(await store.listPrefixes('')).not.toContain('.lakehouse/');
    expect((await listAll(store, '')).filter((o) => o.key.includes('.lakehouse'))).toEqual([]);
  }, 60_000);
});

describe('DuckDB views over a lake with bad files', () => {
  /** Counts per view on the clean lake, and each view's columns and types. */
  let expected: Record<string, { n: number; columns: string }>;
  const VIEWS = ['bronze_klines', 'bronze_trades', 'silver_klines', 'silver_trades', 'gold_features_1m', 'gold_ohlcv_1h'];
  const describeView = async (e: LakeQueryEngine, v: string) =>
    ((await e.query(`DESCRIBE ${v}`)).rows as { column_name: string; column_type: string }[])
      .map((r) => `${r.column_name}:${r.column_type}`)
      .join(',');

  beforeAll(async () => {
    const e = await LakeQueryEngine.open(clean.localRoot);
    expected = {};
    for (const v of VIEWS) {
      expected[v] = { n: Number((await e.query(`select count(*) as n from ${v}`)).rows[0].n), columns: await describeView(e, v) };
    }
    e.close();
    expect(expected.bronze_klines.n).toBe(4 * 1440);
  }, 60_000);

  it.each(DAMAGES)(
    'one %s file each in Bronze, Silver and Gold costs its view that file only, named with the view',
    async (how) => {
      const store = await fresh();
      const bronzeKey = bronzeKlinesKey(ETH, D2, 9);
      const bronzeRows = (await readTable(store, dataset('bronze', 'klines'), bronzeKey)).length;
      await damage(store, bronzeKey, how);
      await damage(store, silverKlinesKey(BTC, D1), how);
      await damage(store, goldFeaturesKey(ETH, D1), how);
      const warned: BadFile[] = [];
      const e = await LakeQueryEngine.open(store.localRoot, { onBadFile: (b) => warned.push(b) });
      try {
        const count = async (v: string) => Number((await e.query(`select count(*) as n from ${v}`)).rows[0].n);
        expect(await count('bronze_klines')).toBe(expected.bronze_klines.n - bronzeRows);
        expect(await count('silver_klines')).toBe(expected.silver_klines.n - 1440);
        expect(await count('gold_features_1m')).toBe(expected.gold_features_1m.n - 1440);
        expect(await count('gold_ohlcv_1h')).toBe(expected.gold_ohlcv_1h.n);
        for (const v of VIEWS) expect([v, await describeView(e, v)]).toEqual([v, expected[v].columns]);
        expect(warned.map((b) => [b.view, b.key])).toEqual([
          ['bronze_klines', bronzeKey],
          ['silver_klines', silverKlinesKey(BTC, D1)],
          ['gold_features_1m', goldFeaturesKey(ETH, D1)],
        ]);
        expect(warned.every((b) => b.reason === (how === 'empty' ? 'empty file (0 bytes)' : FOOTER))).toBe(true);
      } finally {
        e.close();
      }
    },
    60_000,
  );

  it('skips folders that are not partitions (symbol=X=Y, dt=notadate, hour=xx) with a warning, keeping partition columns', async () => {
    const store = await fresh();
    await copyInto(store, silverKlinesKey(BTC, D1), 'silver/klines/timeframe=1m/exchange=binance/symbol=X=Y/dt=2024-05-01/');
    await copyInto(store, goldFeaturesKey(BTC, D1), 'gold/features_1m/exchange=binance/symbol=BTCUSDT/dt=notadate/');
    await copyInto(
      store,
      bronzeKlinesKey(BTC, D1, 1),
      'bronze/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/dt=2024-05-01/hour=xx/',
    );
    const warned: BadFile[] = [];
    const e = await LakeQueryEngine.open(store.localRoot, { onBadFile: (b) => warned.push(b) });
    try {
      const r = await e.query(`select (select count(*) from silver_klines) as s, (select count(*) from gold_features_1m) as g,
        (select count(*) from bronze_klines) as b, (select list(distinct symbol order by symbol) from silver_klines) as symbols,
        (select list(distinct dt order by dt) from gold_features_1m) as dts`);
      expect(r.rows[0]).toEqual({
        s: String(expected.silver_klines.n),
        g: String(expected.gold_features_1m.n),
        b: String(expected.bronze_klines.n),
        symbols: ['BTCUSDT', 'ETHUSDT'],
        dts: [D1, D2],
      });
      expect(warned.map((b) => [b.view, b.key, b.files])).toEqual([
        ['bronze_klines', 'bronze/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/dt=2024-05-01/hour=xx/', 1],
        ['silver_klines', 'silver/klines/timeframe=1m/exchange=binance/symbol=X=Y/', 1],
        ['gold_features_1m', 'gold/features_1m/exchange=binance/symbol=BTCUSDT/dt=notadate/', 1],
      ]);
    } finally {
      e.close();
    }
  }, 60_000);

  it('drops a file whose footer is sound but whose data DuckDB cannot decode, and remembers it', async () => {
    const store = await fresh();
    const key = silverKlinesKey(ETH, D2);
    const bytes = Buffer.from(await store.get(key));
    const footerLength = bytes.readUInt32LE(bytes.length - 8);
    for (let i = 64; i < bytes.length - footerLength - 8; i += 3) bytes[i] = (bytes[i] * 31 + 7) & 0xff;
    await store.put(key, bytes);
    const sql = "select count(*) as n, round(sum(close)) as s from silver_klines where timeframe = '1m'";
    const warned: BadFile[] = [];
    const e = await LakeQueryEngine.open(store.localRoot, { onBadFile: (b) => warned.push(b) });
    try {
      expect((await e.query(sql)).rows[0].n).toBe(String(3 * 1440));
      expect(warned).toEqual([
        expect.objectContaining({ view: 'silver_klines', key, reason: expect.stringMatching(/^DuckDB cannot read it \(/) }),
      ]);
    } finally {
      e.close();
    }
    const again: BadFile[] = [];
    const e2 = await LakeQueryEngine.open(store.localRoot, { onBadFile: (b) => again.push(b) });
    try {
      expect((await e2.query(sql)).rows[0].n).toBe(String(3 * 1440));
      expect(again.map((b) => b.key)).toEqual([key]);
    } finally {
      e2.close();
    }
  }, 60_000);

  it('builds only the views a query names: a bad file elsewhere is not mentioned', async () => {
    const store = await fresh();
    await damage(store, bronzeKlinesKey(BTC, D1, 0), 'empty');
    const warned: BadFile[] = [];
    const e = await LakeQueryEngine.open(store.localRoot, { onBadFile: (b) => warned.push(b) });
    try {
      expect((await e.query('select count(*) as n from gold_features_1m')).rows[0].n).toBe(String(expected.gold_features_1m.n));
      expect(warned).toEqual([]);
      // Every view exists with its columns before it is used.
      expect(
        (await e.query("select count(*) as n from information_schema.columns where table_name = 'bronze_klines'")).rows[0].n,
      ).toBe(String(expected.bronze_klines.columns.split(',').length));
    } finally {
      e.close();
    }
  }, 30_000);

  it('says a lake folder that does not exist does not exist', async () => {
    const missing = path.join(tmpDir('bad-files-missing'), 'typo');
    await expect(LakeQueryEngine.open(missing)).rejects.toThrow(new UserError(`no lake at ${missing}: no such folder`));
  }, 10_000);
});
