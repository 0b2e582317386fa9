import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { importArchive } from '../../lib/history/import-archive';
import { parseImportMapping, readImportMapping } from '../../lib/history/import-mapping';
import { importMapped, type MappedImportOptions } from '../../lib/history/mapped-import';
import { LakeQueryEngine } from '../../lib/local/duckdb-lake';
import { readTable, readTables } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { listAll } from '../../lib/storage/object-store';
import type { Table } from '../../lib/table/table';
import { UserError } from '../../lib/util/errors';
import { lakehouseInProcess } from '../helpers/cli';
import { REPO } from '../helpers/cli-process';
import { tmpDir } from '../helpers/sample-rows';
import { testdataPath } from '../helpers/testdata';

/**
 * `lakehouse import --mapping` (docs/history.md, "Mapped import") on the shared samples and on files written here:
 * Kraken's OHLCVT download by column index, Binance.US klines by header name with ISO times, a Hugging Face-style
 * Parquet, Kraken's trade history (no header, no id, no side). Bad mappings are one line and exit 2 through the CLI;
 * bad records go to quarantine with their reason; a second import writes nothing new; DuckDB's views see the rows.
 */

const KRAKEN_OHLCVT = testdataPath('kraken/BTCUSDC_1m_2023Q1.csv');
const BINANCE_US = testdataPath('binance_us_klines_1m/BTCUSDT_1m_20230301_20230321.csv');
const KRAKEN_MAPPING = path.join(REPO, 'docs/mappings/kraken-ohlcvt-1m.json');
const KRAKEN_TRADES_MAPPING = path.join(REPO, 'docs/mappings/kraken-trades.json');
const klines = dataset('bronze', 'klines');
const trades = dataset('bronze', 'trades');
const NOW = Date.UTC(2026, 0, 1);

/** A fresh folder holding `files` (name → content), and a lake in it. */
async function fixture(prefix: string, files: Record<string, string | Uint8Array | object> = {}) {
  const dir = tmpDir(prefix);
  for (const [name, content] of Object.entries(files)) {
    const body = typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content);
    await fs.writeFile(path.join(dir, name), body);
  }
  const lake = path.join(dir, 'lake');
  return { dir, lake, store: new LocalObjectStore(lake), at: (name: string) => path.join(dir, name) };
}

const imp = (store: LocalObjectStore, file: string, mapping: string, o: Partial<MappedImportOptions> = {}) =>
  importMapped({ store, file, mapping, now: () => NOW, ...o });

async function bronze(store: LocalObjectStore, spec = klines): Promise<{ keys: string[]; table: Table }> {
  const keys = (await listAll(store, `bronze/${spec.name}/`)).map((o) => o.key);
  return { keys, table: await readTables(store, spec, keys) };
}

async function quarantined(store: LocalObjectStore, key: string, name: string) {
  const table = await readTable(store, dataset('quarantine', name), key);
  return Array.from({ length: table.length }, (_, i) => table.row(i));
}

const KLINES_BY_INDEX = {
  dataset: 'klines',
  interval: '1m',
  format: 'csv',
  header: false,
  time: { column: 0, unit: 's' },
  columns: { open: 1, high: 2, low: 3, close: 4, volume: 5, trade_count: 6 },
};

describe('mapping files', () => {
  const section = /^## Mapped import[\s\S]*?(?=^## )/m.exec(readFileSync(path.join(REPO, 'docs/history.md'), 'utf8'))![0];
  const examples = [...section.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m) => JSON.parse(m[1]) as object);

  it('the examples in docs/history.md are valid, and the shipped files are the first two', async () => {
    expect(examples).toHaveLength(3);
    const parsed = examples.map((json, i) => parseImportMapping(json, `example ${i + 1}`));
    expect(parsed.map((m) => [m.dataset, m.format.type, m.time.unit])).toEqual([
      ['klines', 'csv', 's'],
      ['trades', 'csv', 's'],
      ['klines', 'parquet', 'ns'],
    ]);
    expect(examples[0]).toEqual(JSON.parse(readFileSync(KRAKEN_MAPPING, 'utf8')));
    expect(examples[1]).toEqual(JSON.parse(readFileSync(KRAKEN_TRADES_MAPPING, 'utf8')));
    expect((await readImportMapping(KRAKEN_TRADES_MAPPING)).inferSide).toBe('tick_rule');
  }, 5_000);

  it('digests the content, not the order of the columns', () => {
    const reordered = { ...KLINES_BY_INDEX, columns: { trade_count: 6, volume: 5, close: 4, low: 3, high: 2, open: 1 } };
    expect(parseImportMapping(reordered, 'b.json').digest).toBe(parseImportMapping(KLINES_BY_INDEX, 'a.json').digest);
    const otherUnit = { ...KLINES_BY_INDEX, time: { column: 0, unit: 'ms' } };
    expect(parseImportMapping(otherUnit, 'c.json').digest).not.toBe(parseImportMapping(KLINES_BY_INDEX, 'a.json').digest);
  }, 5_000);

  const { columns: _dropped, ...noColumns } = KLINES_BY_INDEX;
  const TRADES = {
    dataset: 'trades',
    format: 'csv',
    header: false,
    time: { column: 0, unit: 's' },
    columns: { price: 1, qty: 2 },
  };
  it.each<[string, unknown, RegExp]>([
    ['not an object', [], /^m\.json: a mapping is a JSON object/],
    ['an unknown field', { ...KLINES_BY_INDEX, colums: {} }, /^m\.json: colums: unknown field \(a mapping has dataset, /],
    [
      'a wrong dataset',
      { ...KLINES_BY_INDEX, dataset: 'candles' },
      /^m\.json: dataset: must be "klines" or "trades" \(got "candles"\)$/,
    ],
    ['klines without interval', { ...KLINES_BY_INDEX, interval: undefined }, /^m\.json: interval: klines need one of 1m, /],
    ['an interval Bronze does not keep', { ...KLINES_BY_INDEX, interval: '7m' }, /^m\.json: interval: .*\(got "7m"\)$/],
    ['trades with an interval', { ...TRADES, interval: '1m', infer_side: 'tick_rule' }, /^m\.json: interval: is for klines/],
    ['an unknown format', { ...KLINES_BY_INDEX, format: 'xlsx' }, /^m\.json: format: must be "csv" or "parquet" \(got "xlsx"\)$/],
    ['csv without header', { ...KLINES_BY_INDEX, header: undefined }, /^m\.json: header: csv needs true/],
    ['a long delimiter', { ...KLINES_BY_INDEX, delimiter: ';;' }, /^m\.json: delimiter: must be one character/],
    ['parquet with a header', { ...KLINES_BY_INDEX, format: 'parquet' }, /^m\.json: header: is for csv files, not parquet$/],
    [
      'a time without unit',
      { ...KLINES_BY_INDEX, time: { column: 0 } },
      /^m\.json: time\.unit: must be one of s, ms, us, ns, iso: .*\(got none\)$/,
    ],
    ['a time as a bare column', { ...KLINES_BY_INDEX, time: 0 }, /^m\.json: time: must be \{"column"/],
    [
      'a negative index',
      { ...KLINES_BY_INDEX, columns: { ...KLINES_BY_INDEX.columns, open: -1 } },
      /^m\.json: columns\.open: must be a column name or/,
    ],
    [
      'a name without header',
      { ...KLINES_BY_INDEX, columns: { ...KLINES_BY_INDEX.columns, open: 'open' } },
      /^m\.json: columns\.open: 'open' is a name, and the file has no header/,
    ],
    ['no columns', noColumns, /^m\.json: columns: must be an object of klines columns: open, high, low, close, volume/],
    [
      'a missing column',
      { ...KLINES_BY_INDEX, columns: { open: 1, high: 2, low: 3, close: 4 } },
      /^m\.json: columns\.volume: missing: klines need it$/,
    ],
    [
      'a column of the other dataset',
      { ...KLINES_BY_INDEX, columns: { ...KLINES_BY_INDEX.columns, price: 1 } },
      /^m\.json: columns\.price: not a klines column/,
    ],
    ['trades without a side', TRADES, /^m\.json: columns\.side: trades need the taker side/],
    [
      'a side and infer_side',
      { ...TRADES, columns: { ...TRADES.columns, side: 3 }, infer_side: 'tick_rule' },
      /^m\.json: infer_side: the file has a side column/,
    ],
    [
      'an unknown inference',
      { ...TRADES, infer_side: 'lee_ready' },
      /^m\.json: infer_side: the one inference there is is "tick_rule"/,
    ],
    ['an unknown exchange', { ...KLINES_BY_INDEX, exchange: 'bitmex' }, /^m\.json: exchange: must be one of binance, /],
    ['a symbol no partition can hold', { ...KLINES_BY_INDEX, symbol: 'BTC USD' }, /^m\.json: symbol: must be a symbol/],
  ])(
    'refuses %s in one line naming the field',
    (_, json, message) => {
      let error: Error | undefined;
      try {
        parseImportMapping(json, 'm.json');
      } catch (e) {
        error = e as Error;
      }
      expect(error).toBeInstanceOf(UserError);
      expect(error?.message).toMatch(message);
      expect(error?.message).not.toContain('\n');
    },
    5_000,
  );
});

describe("Kraken's OHLCVT download as klines 1m, by column index", () => {
  const lines = readFileSync(KRAKEN_OHLCVT, 'latin1').trimEnd().split('\n');

  it('imports every row, one Bronze object per day, the same rows the layout importer reads; again: nothing new', async () => {
    const { store } = await fixture('mapped-kraken');
    const r = await imp(store, KRAKEN_OHLCVT, KRAKEN_MAPPING, { symbol: 'BTC/USDC' });
    expect(lines).toHaveLength(56_717);
    expect(r).toMatchObject({
      dataset: 'klines',
      exchange: 'kraken',
      symbol: 'BTC/USDC',
      interval: '1m',
      unit: 's',
      layout: 'mapping',
      records: 56_717,
      rows: 56_717 - r.rejected,
      rejected: 0,
      files: 90,
      existing: 0,
      firstTime: Date.UTC(2023, 0, 1),
      lastTime: Date.UTC(2023, 2, 31, 23, 59),
      quarantineKey: null,
    });
    const { keys, table } = await bronze(store);
    expect(table.length).toBe(r.rows);
    expect(keys).toHaveLength(90);
    for (const key of keys) {
      expect(key).toMatch(/^bronze\/klines\/timeframe=1m\/exchange=kraken\/symbol=BTC-USDC\/dt=2023-0[1-3]-\d\d\/hour=00\//);
      expect(key).toMatch(/\/part-2023\d{4}T000000Z-archive-[0-9a-f]{16}\.parquet$/);
    }
    // Spot checks: the file's first line and a line of 2023-02-22.
    const [t0, o0, h0, l0, c0, v0, n0] = lines[0].split(',').map(Number);
    const later = lines[30_000].split(',').map(Number);
    const times = table.num('open_time');
    const rowAt = (ms: number) => table.row(times.indexOf(ms));
    expect(rowAt(t0 * 1000)).toMatchObject({
      open_time: t0 * 1000,
      close_time: t0 * 1000 + 59_999,
      open: o0,
      high: h0,
      low: l0,
      close: c0,
      volume: v0,
      trade_count: n0,
      quote_volume: null,
      is_closed: true,
      base: 'BTC',
      quote: 'USDC',
      source: 'archive',
      ingest_time: NOW,
    });
    expect(rowAt(later[0] * 1000)).toMatchObject({ open: later[1], close: later[4], volume: later[5], trade_count: later[6] });

    // The layout importer (docs/import.md) reads the same file into the same values.
    const layout = await fixture('mapped-kraken-layout');
    await importArchive({
      store: layout.store,
      file: KRAKEN_OHLCVT,
      dataset: 'klines',
      exchange: 'kraken',
      symbol: 'BTC/USDC',
      interval: '1m',
    });
    const other = (await bronze(layout.store)).table;
    const sorted = (t: Table, column: string) => {
      const open = t.num('open_time');
      const values = t.num(column);
      return Array.from(open.keys())
        .sort((a, b) => open[a] - open[b])
        .map((i) => values[i]);
    };
    for (const column of ['open_time', 'close_time', 'open', 'high', 'low', 'close', 'volume', 'trade_count']) {
      expect({ column, values: sorted(table, column) }).toEqual({ column, values: sorted(other, column) });
    }

    const again = await imp(store, KRAKEN_OHLCVT, KRAKEN_MAPPING, { symbol: 'BTC/USDC', now: () => NOW + 1 });
    expect(again).toMatchObject({ rows: 56_717, files: 0, existing: 90, bytes: 0 });
    expect((await listAll(store, '')).map((o) => o.key).sort()).toEqual([...keys].sort());
  }, 120_000);

  it('quarantines bad lines with their reason, and counts duplicates', async () => {
    const head = lines.slice(0, 300);
    const bad = [
      ...head.slice(0, 100),
      '1672540000,16500,16510,16490,16505,0.5,3', // 02:26:40, not on the 1m grid
      '1672540080,-1,16510,16490,16505,0.5,3', // a negative open
      '1672540140,16500,16510,16490,16505,abc,3', // a volume that is no number
      '1672540200000,16500,16510,16490,16505,0.5,3', // milliseconds in a file of seconds
      head[100], // the same minute twice
      ...head.slice(100, 299),
      head[299].slice(0, head[299].lastIndexOf('.') + 2), // cut off mid-volume, no newline
    ].join('\n');
    const { store, at } = await fixture('mapped-kraken-bad', { 'BTCUSDC.csv': bad });
    const r = await imp(store, at('BTCUSDC.csv'), KRAKEN_MAPPING, { symbol: 'BTC/USDC' });
    expect(r).toMatchObject({ records: 305, rows: 300, rejected: 5, duplicates: 1 });
    expect(r.rejectedByReason).toEqual({
      'open_time not on the 1m grid': 1,
      'open is not > 0': 1,
      'volume is not a number': 1,
      "open_time unit differs from the file's": 1,
      'last line cut short': 1,
    });
    expect(r.quarantineKey).toMatch(
      /^quarantine\/klines\/timeframe=1m\/exchange=kraken\/symbol=BTC-USDC\/dt=2023-01-01\/import-[0-9a-f]{16}\.parquet$/,
    );
    const rows = await quarantined(store, r.quarantineKey!, 'klines');
    expect(rows.map((row) => row.quarantine_reason)).toEqual([
      'open_time not on the 1m grid: 2023-01-01T02:26:40.000Z (BTCUSDC.csv line 101: 1672540000,16500,16510,16490,16505,0.5,3)',
      'open=-1 is not > 0 (BTCUSDC.csv line 102: 1672540080,-1,16510,16490,16505,0.5,3)',
      "volume is not a number: 'abc' (BTCUSDC.csv line 103: 1672540140,16500,16510,16490,16505,abc,3)",
      expect.stringMatching(
        /^open_time unit differs from the file's: '1672540200000' is milliseconds, .* \(BTCUSDC\.csv line 104: /,
      ),
      expect.stringMatching(/^last line cut short: 6 of 7 columns, and no newline \(BTCUSDC\.csv line 305: /),
    ]);
    expect(rows[1]).toMatchObject({ open_time: 1672540080000, high: 16510, base: 'BTC', quote: 'USDC', quarantined_at: NOW });
    expect((await bronze(store)).table.length).toBe(300);
  }, 30_000);

  it('refuses a file whose data contradicts the interval, or whose rows mostly fail, writing nothing', async () => {
    const { store, dir, at } = await fixture('mapped-kraken-refused', {
      '5m.json': { ...KLINES_BY_INDEX, interval: '5m' },
      'ms.json': { ...KLINES_BY_INDEX, time: { column: 0, unit: 'ms' } },
    });
    await expect(imp(store, KRAKEN_OHLCVT, at('5m.json'), { exchange: 'kraken', symbol: 'BTC/USDC' })).rejects.toThrow(
      /^BTCUSDC_1m_2023Q1\.csv: only .* of the open times fall on the 5m grid .*the interval 5m comes from 5m\.json\); nothing imported$/,
    );
    await expect(imp(store, KRAKEN_OHLCVT, at('ms.json'), { exchange: 'kraken', symbol: 'BTC/USDC' })).rejects.toThrow(
      new RegExp(
        "^BTCUSDC_1m_2023Q1\\.csv: none of its 56717 rows can be imported \\(56717 × open_time unit differs from the file's, " +
          'first at line 1\\): likely the wrong mapping \\(ms\\.json\\) or file; nothing imported$',
      ),
    );
    expect(await fs.readdir(dir)).not.toContain('lake');
  }, 60_000);
});

describe('Binance.US klines by header name, ISO times', () => {
  it('imports the 30,240 minutes, and the lake views see them', async () => {
    const mapping = {
      dataset: 'klines',
      interval: '1m',
      format: 'csv',
      header: true,
      time: { column: 'open_time', unit: 'iso' },
      columns: { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume' },
      exchange: 'binanceus',
      symbol: 'BTCUSDT',
    };
    const { store, lake, at } = await fixture('mapped-binanceus', { 'binanceus.json': mapping });
    const r = await imp(store, BINANCE_US, at('binanceus.json'));
    expect(r).toMatchObject({
      exchange: 'binanceus',
      symbol: 'BTCUSDT',
      unit: 'iso',
      records: 30_240,
      rows: 30_240,
      rejected: 0,
      files: 21,
    });
    const [, first] = readFileSync(BINANCE_US, 'utf8').split('\n');
    expect(first).toBe('2023-03-01 00:00:00+00:00,23140.48,23150.77,23128.52,23142.31,2.131777');
    const engine = await LakeQueryEngine.open(lake);
    try {
      const q = await engine.query(
        `select count(*) as n, min(open_time) as first, max(open_time) as last, count(distinct dt) as days from bronze_klines
         where exchange = 'binanceus' and symbol = 'BTCUSDT' and timeframe = '1m'`,
      );
      expect(q.rows).toEqual([{ n: '30240', first: '2023-03-01 00:00:00', last: '2023-03-21 23:59:00', days: '21' }]);
      const row = await engine.query(
        `select open, high, low, close, volume, quote_volume from bronze_klines where open_time = '2023-03-01 00:00:00'`,
      );
      expect(row.rows).toEqual([
        { open: 23140.48, high: 23150.77, low: 23128.52, close: 23142.31, volume: 2.131777, quote_volume: null },
      ]);
    } finally {
      engine.close();
    }
  }, 60_000);
});

describe('a Hugging Face-style OHLCV Parquet, by column name', () => {
  const HOUR = 3_600_000;
  const T0 = Date.UTC(2024, 0, 1);
  const N = 1_200;
  /** pandas' layout: datetime64[ns] as a TIMESTAMP(NANOS), doubles, several row groups. Row 7 has a negative volume. */
  const parquet = (time: 'ns' | 'ms') => {
    const stamps = Array.from({ length: N }, (_, i) => new Date(T0 + i * HOUR));
    const price = (i: number) => 40_000 + 10 * Math.sin(i / 10);
    const timeColumn =
      time === 'ns'
        ? {
            name: 'timestamp',
            type: 'INT64',
            logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'NANOS' },
            repetition_type: 'REQUIRED',
          }
        : { name: 'timestamp', type: 'INT64', repetition_type: 'REQUIRED' };
    const double = (name: string) => ({ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' });
    const names = ['open', 'high', 'low', 'close', 'volume'];
    return new Uint8Array(
      parquetWriteBuffer({
        schema: [{ name: 'schema', num_children: 6 }, timeColumn, ...names.map(double)] as never,
        columnData: [
          { name: 'timestamp', data: time === 'ns' ? stamps : stamps.map((d) => BigInt(d.getTime())) },
          { name: 'open', data: Array.from({ length: N }, (_, i) => price(i)) },
          { name: 'high', data: Array.from({ length: N }, (_, i) => price(i) + 5) },
          { name: 'low', data: Array.from({ length: N }, (_, i) => price(i) - 5) },
          { name: 'close', data: Array.from({ length: N }, (_, i) => price(i + 1)) },
          { name: 'volume', data: Array.from({ length: N }, (_, i) => (i === 7 ? -1 : 12.5 + i)) },
        ],
        rowGroupSize: 500,
      }),
    );
  };
  const mapping = (unit: string) => ({
    dataset: 'klines',
    interval: '1h',
    format: 'parquet',
    time: { column: 'timestamp', unit },
    columns: { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume' },
  });

  it('reads a TIMESTAMP(NANOS) column row group by row group; the bad row goes to quarantine with its reason', async () => {
    const { store, lake, at } = await fixture('mapped-parquet', { 'btc-1h.parquet': parquet('ns'), 'hf.json': mapping('ns') });
    const r = await imp(store, at('btc-1h.parquet'), at('hf.json'), { exchange: 'binance', symbol: 'BTCUSDT' });
    expect(r).toMatchObject({
      format: 'parquet',
      records: N,
      rows: N - 1,
      rejected: 1,
      rejectedByReason: { 'volume is below 0': 1 },
      files: 50,
    });
    expect((await quarantined(store, r.quarantineKey!, 'klines')).map((row) => row.quarantine_reason)).toEqual([
      expect.stringMatching(/^volume=-1 is below 0 \(btc-1h\.parquet row 8: \{"timestamp":1704092400000,"close":40007\.\d+,/),
    ]);
    const { table } = await bronze(store);
    expect(table.length).toBe(N - 1);
    const times = table.num('open_time');
    expect(table.row(times.indexOf(T0 + 600 * HOUR))).toMatchObject({
      open_time: T0 + 600 * HOUR,
      close_time: T0 + 601 * HOUR - 1,
      open: 40_000 + 10 * Math.sin(60),
      volume: 612.5,
      trade_count: null,
    });
    const engine = await LakeQueryEngine.open(lake);
    try {
      const q = await engine.query(`select count(*) as n from bronze_klines where timeframe = '1h' and exchange = 'binance'`);
      expect(q.rows).toEqual([{ n: String(N - 1) }]);
    } finally {
      engine.close();
    }
  }, 60_000);

  it('reads epoch milliseconds in an INT64 column; a unit that is not the timestamp column is one line', async () => {
    const { store, at } = await fixture('mapped-parquet-ms', {
      'ms.parquet': parquet('ms'),
      'ns.parquet': parquet('ns'),
      'ms.json': mapping('ms'),
      'iso.json': mapping('iso'),
      'opn.json': { ...mapping('ms'), columns: { ...mapping('ms').columns, open: 'opn' } },
    });
    const r = await imp(store, at('ms.parquet'), at('ms.json'), { exchange: 'binance', symbol: 'BTCUSDT' });
    expect(r).toMatchObject({ rows: N - 1, rejected: 1, unit: 'ms' });
    await expect(imp(store, at('ns.parquet'), at('ms.json'), { exchange: 'binance', symbol: 'BTCUSDT' })).rejects.toThrow(
      /^ms\.json: time\.unit: 'ms', but 'timestamp' is a Parquet timestamp in nanoseconds: set "unit": "ns"$/,
    );
    await expect(imp(store, at('ms.parquet'), at('iso.json'), { exchange: 'binance', symbol: 'BTCUSDT' })).rejects.toThrow(
      /^iso\.json: time\.unit: 'iso', but 'timestamp' holds numbers \(INT64\): give its epoch unit/,
    );
    await expect(imp(store, at('ms.parquet'), at('opn.json'), { exchange: 'binance', symbol: 'BTCUSDT' })).rejects.toThrow(
      /^opn\.json: columns\.open: no column 'opn' in ms\.parquet \(its columns: timestamp, open, high, low, close, volume\)$/,
    );
  }, 60_000);
});

describe("Kraken's trade history as trades: no header, no trade id, no side", () => {
  const T = 1_677_024_000; // 2023-02-22 00:00:00 UTC, in seconds
  /** Kraken's `timestamp,price,volume`, decimal seconds; three trades share a millisecond; the day ends at 23:59:59. */
  const TRADES = [
    `${T}.0001,23000.0,0.5`,
    `${T}.0010,23001.5,0.25`, // up: the taker bought
    `${T}.0012,23001.5,0.1`, // same price, same millisecond: still a buy
    `${T}.0019,23000.5,0.2`, // down, same millisecond: a sell
    `${T + 1}.5,23000.5,abc`, // a quantity that is no number
    `${T + 2}.001,23000.5,1.0`, // 1 ms exactly: 1677024002001
    `${T + 86_399}.9,23100,0.01`,
    `${T + 86_400}.25,23050,0.02`, // the next day
  ];
  const ids = (t: Table) => Array.from(t.num('trade_id'));

  it('makes ids from the time, sides by the tick rule; the first trade and the bad line go to quarantine', async () => {
    const { store, lake, at } = await fixture('mapped-trades', { 'XBTUSD.csv': `${TRADES.join('\n')}\n` });
    const r = await imp(store, at('XBTUSD.csv'), KRAKEN_TRADES_MAPPING, { symbol: 'BTC/USD' });
    expect(r).toMatchObject({ dataset: 'trades', interval: null, records: 8, rows: 6, rejected: 2, files: 2, duplicates: 0 });
    expect(r.rejectedByReason).toEqual({ 'is_buyer_maker cannot be inferred': 1, 'qty is not a number': 1 });
    const { keys, table } = await bronze(store, trades);
    expect(keys.map((k) => k.replace(/part-.*/, ''))).toEqual([
      'bronze/trades/exchange=kraken/symbol=BTC-USD/dt=2023-02-22/hour=00/',
      'bronze/trades/exchange=kraken/symbol=BTC-USD/dt=2023-02-23/hour=00/',
    ]);
    const ms = T * 1000;
    expect(ids(table)).toEqual([
      (ms + 1) * 1000,
      (ms + 1) * 1000 + 1,
      (ms + 1) * 1000 + 2,
      (ms + 2001) * 1000,
      (ms + 86_399_900) * 1000,
      (ms + 86_400_250) * 1000,
    ]);
    expect(table.row(0)).toMatchObject({
      event_time: ms + 1,
      price: 23001.5,
      qty: 0.25,
      quote_qty: 23001.5 * 0.25,
      is_buyer_maker: false,
    });
    expect(Array.from(table.bool('is_buyer_maker'))).toEqual([false, false, true, true, false, true]);
    const rows = await quarantined(store, r.quarantineKey!, 'trades');
    expect(rows.map((row) => row.quarantine_reason)).toEqual([
      `is_buyer_maker cannot be inferred: no price change yet (tick rule) (XBTUSD.csv line 1: ${TRADES[0]})`,
      `qty is not a number: 'abc' (XBTUSD.csv line 5: ${TRADES[4]})`,
    ]);
    expect(rows[0]).toMatchObject({ trade_id: ms * 1000, event_time: ms, price: 23000 });

    const again = await imp(store, at('XBTUSD.csv'), KRAKEN_TRADES_MAPPING, { symbol: 'BTC/USD' });
    expect(again).toMatchObject({ rows: 6, files: 0, existing: 2 });
    expect((await listAll(store, '')).length).toBe(3);

    const engine = await LakeQueryEngine.open(lake);
    try {
      const q = await engine.query(`select count(*) as n, sum(qty) as qty from bronze_trades where exchange = 'kraken'`);
      expect(q.rows).toEqual([{ n: '6', qty: 0.25 + 0.1 + 0.2 + 1 + 0.01 + 0.02 }]);
    } finally {
      engine.close();
    }
  }, 60_000);

  it('gives the same trades the same ids in a later export that overlaps this one', async () => {
    const { store, at } = await fixture('mapped-trades-overlap', {
      'q1.csv': TRADES.slice(0, 4).join('\n'),
      'q2.csv': TRADES.slice(1).join('\n'),
    });
    const lakeB = new LocalObjectStore(at('lake-b'));
    await imp(store, at('q1.csv'), KRAKEN_TRADES_MAPPING, { symbol: 'BTC/USD' });
    const q2 = await imp(lakeB, at('q2.csv'), KRAKEN_TRADES_MAPPING, { symbol: 'BTC/USD' });
    const a = (await bronze(store, trades)).table;
    const b = (await bronze(lakeB, trades)).table;
    // q2 starts with the 2nd trade: it cannot tell the side of the 2nd and 3rd (the price has not moved yet), and
    // rejects them; the 4th, of the same millisecond, gets the id q1 gave it.
    expect(q2.rejectedByReason).toEqual({ 'is_buyer_maker cannot be inferred': 2, 'qty is not a number': 1 });
    const ms = T * 1000;
    expect(ids(a)).toEqual([(ms + 1) * 1000, (ms + 1) * 1000 + 1, (ms + 1) * 1000 + 2]);
    expect(ids(b)[0]).toBe(ids(a)[2]);
    expect(b.row(0)).toMatchObject({ event_time: ms + 1, price: 23000.5, qty: 0.2, is_buyer_maker: true });
  }, 30_000);

  it('refuses made-up ids where Silver checks ids for gaps, and a file more than 60 s out of time order', async () => {
    const { store, at } = await fixture('mapped-trades-refused', {
      'XBTUSD.csv': TRADES.join('\n'),
      'shuffled.csv': [...TRADES, `${T - 120},22990,0.1`, `${T - 121},22980,0.1`, `${T - 122},22970,0.1`].join('\n'),
    });
    await expect(imp(store, at('XBTUSD.csv'), KRAKEN_TRADES_MAPPING, { exchange: 'binance', symbol: 'BTCUSDT' })).rejects.toThrow(
      /^--exchange binance differs from kraken-trades\.json's exchange kraken/,
    );
    const { exchange: _kraken, ...anywhere } = JSON.parse(readFileSync(KRAKEN_TRADES_MAPPING, 'utf8')) as Record<string, unknown>;
    await fs.writeFile(at('anywhere.json'), JSON.stringify(anywhere));
    await expect(imp(store, at('XBTUSD.csv'), at('anywhere.json'), { exchange: 'binance', symbol: 'BTCUSDT' })).rejects.toThrow(
      /^anywhere\.json: columns\.trade_id: binance numbers its trades 1, 2, 3…, and Silver reports every jump as lost trades/,
    );
    await expect(imp(store, at('XBTUSD.csv'), at('anywhere.json'), { symbol: 'BTCUSDT' })).rejects.toThrow(
      /^--exchange is required \(anywhere\.json names no exchange\)$/,
    );
    const r = await imp(store, at('shuffled.csv'), KRAKEN_TRADES_MAPPING, { symbol: 'BTC/USD' });
    expect(r.rejectedByReason).toEqual({
      'is_buyer_maker cannot be inferred': 1,
      'qty is not a number': 1,
      'event_time goes back more than 60 s': 3,
    });
  }, 30_000);
});

describe('lakehouse import --mapping (the CLI)', () => {
  const root = tmpDir('mapped-cli');
  const lake = path.join(root, 'lake');
  const write = async (name: string, json: object) => {
    await fs.writeFile(path.join(root, name), JSON.stringify(json));
    return path.join(root, name);
  };
  const cli = (mapping: string, file = BINANCE_US, extra: string[] = []) =>
    lakehouseInProcess([
      'import',
      '--mapping',
      mapping,
      '--file',
      file,
      '--exchange',
      'binanceus',
      '--symbol',
      'BTCUSDT',
      '--lake',
      lake,
      ...extra,
    ]);
  const byName = {
    dataset: 'klines',
    interval: '1m',
    format: 'csv',
    header: true,
    time: { column: 'open_time', unit: 'iso' },
    columns: { open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume' },
  };
  /** One line on stderr, exit 2, nothing on stdout and nothing in the lake. */
  const expectRefused = async (args: Promise<{ code: number; stdout: string; stderr: string }>, message: RegExp) => {
    const r = await args;
    expect({ code: r.code, stdout: r.stdout, lines: r.stderr.split('\n').filter(Boolean).length }).toEqual({
      code: 2,
      stdout: '',
      lines: 1,
    });
    expect(r.stderr).toMatch(message);
    expect(await listAll(new LocalObjectStore(lake), 'bronze/').catch(() => [])).toEqual([]);
  };

  it.each<[string, object, RegExp]>([
    [
      'an unknown column',
      { ...byName, columns: { ...byName.columns, open: 'opn' } },
      /^lakehouse: unknown\.json: columns\.open: no column 'opn' in BTCUSDT_1m_20230301_20230321\.csv \(its header: open_time, open, /,
    ],
    [
      'a time without its unit',
      { ...byName, time: { column: 'open_time' } },
      /^lakehouse: unknown\.json: time\.unit: must be one of s, ms, us, ns, iso/,
    ],
    [
      'a wrong dataset',
      { ...byName, dataset: 'candles' },
      /^lakehouse: unknown\.json: dataset: must be "klines" or "trades" \(got "candles"\)\n$/,
    ],
    [
      'the wrong dataset for the file',
      {
        ...byName,
        dataset: 'trades',
        interval: undefined,
        columns: { price: 'open', qty: 'volume', trade_id: 'volume' },
        infer_side: 'tick_rule',
      },
      /^lakehouse: BTCUSDT_1m_20230301_20230321\.csv: none of its 30240 rows can be imported \(30240 × trade_id is not an integer, /,
    ],
  ])(
    '%s: one line, exit 2, nothing written',
    async (_, json, message) => {
      await expectRefused(cli(await write('unknown.json', json)), message);
    },
    30_000,
  );

  it('refuses --dataset or --interval beside --mapping, a mapping that is not JSON, and one that is not there', async () => {
    const good = await write('good.json', byName);
    await expectRefused(
      cli(good, BINANCE_US, ['--dataset', 'klines']),
      /^lakehouse: --dataset comes from the mapping file with --mapping; leave it out\n$/,
    );
    await expectRefused(cli(good, BINANCE_US, ['--interval', '1m']), /^lakehouse: --interval comes from the mapping file/);
    await fs.writeFile(path.join(root, 'broken.json'), '{"dataset": "klines",');
    await expectRefused(cli(path.join(root, 'broken.json')), /^lakehouse: broken\.json: not JSON \(/);
    await expectRefused(cli(path.join(root, 'nope.json')), /^lakehouse: no such mapping file: .*nope\.json\n$/);
    await expectRefused(cli(good, path.join(root, 'nope.csv')), /^lakehouse: no such file: .*nope\.csv\n$/);
  }, 30_000);

  it('still asks for --dataset and --exchange without --mapping', async () => {
    const r = await lakehouseInProcess(['import', '--file', BINANCE_US, '--exchange', 'binanceus', '--lake', lake]);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe("lakehouse: required option '--dataset <name>' not specified (see lakehouse import --help)\n");
    const e = await lakehouseInProcess(['import', '--file', BINANCE_US, '--dataset', 'klines', '--lake', lake]);
    expect(e.stderr).toBe("lakehouse: required option '--exchange <id>' not specified (see lakehouse import --help)\n");
  }, 30_000);

  it('prints the result as JSON, and says so when a second import has nothing new', async () => {
    const good = await write('good.json', byName);
    const first = await cli(good);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ rows: 30_240, rejected: 0, files: 21, layout: 'mapping', mapping: good });
    const second = await cli(good);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ rows: 30_240, files: 0, existing: 21 });
    expect(second.stderr).toMatch(/^lakehouse: import: nothing new: the 21 Bronze files of this file are already in the lake/m);
  }, 60_000);
});
