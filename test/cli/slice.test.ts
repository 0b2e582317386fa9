import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runRange } from '../../lib/app/run-range';
import { LakeQueryEngine } from '../../lib/local/duckdb-lake';
import { UNTRUSTED_FLAGS } from '../../lib/schema/quality-flags';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { BTC, D1, ETH, writeBronzeDay } from '../helpers/bad-lake';
import { lakehouseInProcess } from '../helpers/cli';
import { tmpDir } from '../helpers/sample-rows';

/**
 * `lakehouse slice` (lib/app/slice.ts) against a lake of two markets built by Silver and Gold from Bronze: what it
 * writes equals what the views hold, on the full time grid, long and wide, Parquet and CSV; mistakes are one line.
 */

const root = tmpDir('slice');
const LAKE = path.join(root, 'lake');
const out = (name: string) => path.join(root, name);
let engine: LakeQueryEngine;

beforeAll(async () => {
  const store = new LocalObjectStore(LAKE);
  await writeBronzeDay(store, BTC, D1);
  await writeBronzeDay(store, ETH, D1);
  // One symbol on two exchanges: the slice must be told which.
  await writeBronzeDay(store, SOL, D1);
  await writeBronzeDay(store, { ...SOL, exchange: 'binanceus' }, D1);
  await runRange({ store, from: D1, to: D1, onSkip: () => undefined });
  engine = await LakeQueryEngine.open(LAKE);
}, 120_000);

afterAll(() => engine?.close());

type Row = Record<string, unknown>;
const slice = (args: string[]) => lakehouseInProcess(['slice', ...args, '--lake', LAKE]);
const readParquet = async (file: string) => (await engine.query(`SELECT * FROM read_parquet('${file}')`)).rows;
const key = (time: unknown, symbol: unknown) => `${String(time)} ${String(symbol)}`;

/** The CSV as rows of text (the slice's values hold no commas or quotes). */
function readCsv(file: string): { header: string[]; rows: Row[] } {
  const [head, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const header = head.split(',');
  return { header, rows: lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v]))) };
}

const SOL = { exchange: 'binance', symbol: 'SOLUSDT' };
const HOURS_0_3 = ['--start', `${D1}T00:00Z`, '--end', `${D1}T03:00Z`];

describe('lakehouse slice', () => {
  it('writes a long Parquet slice equal to silver_klines, one row per minute and symbol', async () => {
    const file = out('long.parquet');
    const r = await slice(['--symbols', 'BTCUSDT,ETHUSDT', ...HOURS_0_3, '--tf', '1m', '--out', file]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toMatchObject({ rows: 360, view: 'silver_klines', shape: 'long', format: 'parquet' });

    const rows = await readParquet(file);
    expect(rows).toHaveLength(180 * 2);
    expect(rows.slice(0, 2).map((x) => x.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    const view = await engine.query(
      `SELECT open_time, symbol, open, close, volume, quality_flags FROM silver_klines WHERE timeframe = '1m' AND exchange = 'binance' ` +
        `AND symbol IN ('BTCUSDT', 'ETHUSDT') AND dt = '${D1}' ` +
        `AND open_time < TIMESTAMP '${D1} 03:00:00'`,
    );
    expect(view.rows.length).toBeGreaterThan(300);
    const sliced = new Map(rows.map((x) => [key(x.time, x.symbol), x]));
    for (const v of view.rows) {
      const s = sliced.get(key(v.open_time, v.symbol));
      expect(s).toMatchObject({ open: v.open, close: v.close, volume: v.volume, quality_flags: v.quality_flags });
      expect(s?.data_ok).toBe((Number(v.quality_flags) & UNTRUSTED_FLAGS) === 0);
    }
    // Every minute the view lacks is a row of nulls, not a missing row.
    const held = new Set(view.rows.map((v) => key(v.open_time, v.symbol)));
    for (const s of rows.filter((x) => !held.has(key(x.time, x.symbol)))) {
      expect(s).toMatchObject({ data_ok: false, quality_flags: null, close: null });
    }
  }, 60_000);

  it('aligns past the end of the data: minutes with no bar are rows with data_ok false and quality_flags null', async () => {
    const file = out('edge.csv');
    const r = await slice([
      '--symbols',
      'BTCUSDT',
      '--start',
      `${D1}T23:58Z`,
      '--end',
      '2024-05-02T00:02Z',
      '--tf',
      '1m',
      '--out',
      file,
    ]);
    expect(r.code).toBe(0);
    const { header, rows } = readCsv(file);
    expect(header.slice(0, 5)).toEqual(['time', 'exchange', 'symbol', 'data_ok', 'quality_flags']);
    expect(rows.map((x) => [x.time, x.data_ok !== '', x.close !== ''])).toEqual([
      [`${D1} 23:58:00`, true, true],
      [`${D1} 23:59:00`, true, true],
      ['2024-05-02 00:00:00', true, false],
      ['2024-05-02 00:01:00', true, false],
    ]);
    expect(rows.slice(2).map((x) => [x.data_ok, x.quality_flags])).toEqual([
      ['false', ''],
      ['false', ''],
    ]);
  }, 60_000);

  it('writes a wide CSV slice: one row per time, <symbol>__<column> columns equal to the long slice', async () => {
    const wide = out('wide.csv');
    const long = out('long-5m.csv');
    const args = ['--symbols', 'BTCUSDT,ETHUSDT', ...HOURS_0_3, '--tf', '5m', '--columns', 'close,volume'];
    expect((await slice([...args, '--wide', '--out', wide])).code).toBe(0);
    expect((await slice([...args, '--out', long])).code).toBe(0);
    const w = readCsv(wide);
    expect(w.header).toEqual([
      'time',
      ...['BTCUSDT', 'ETHUSDT'].flatMap((s) => ['data_ok', 'quality_flags', 'close', 'volume'].map((c) => `${s}__${c}`)),
    ]);
    expect(w.rows).toHaveLength(36);
    expect(new Set(w.rows.map((x) => x.time)).size).toBe(36);
    const l = readCsv(long);
    expect(l.header).toEqual(['time', 'exchange', 'symbol', 'data_ok', 'quality_flags', 'close', 'volume']);
    for (const x of l.rows) {
      const row = w.rows.find((y) => y.time === x.time)!;
      expect([row[`${String(x.symbol)}__close`], row[`${String(x.symbol)}__data_ok`]]).toEqual([x.close, x.data_ok]);
    }
    expect(l.rows.filter((x) => x.close !== '').length).toBeGreaterThan(60);
  }, 60_000);

  it("slices Gold's features with its data_ok, and Silver's 1 s bars", async () => {
    const gold = out('gold.parquet');
    const r = await slice([
      '--symbols',
      'ETHUSDT',
      ...HOURS_0_3,
      '--tf',
      '1m',
      '--layer',
      'gold',
      '--columns',
      'close,ts',
      '--out',
      gold,
    ]);
    expect(r.code).toBe(0);
    const rows = await readParquet(gold);
    expect(Object.keys(rows[0])).toEqual(['time', 'exchange', 'symbol', 'data_ok', 'quality_flags', 'close', 'ts']);
    const view = await engine.query(
      `SELECT open_time, data_ok, close FROM gold_features_1m WHERE symbol = 'ETHUSDT' AND open_time < TIMESTAMP '${D1} 03:00:00'`,
    );
    expect(view.rows.length).toBeGreaterThan(100);
    for (const v of view.rows) {
      expect(rows.find((x) => x.time === v.open_time)).toMatchObject({ data_ok: v.data_ok, close: v.close });
    }

    const bars = out('bars.parquet');
    const b = await slice([
      '--symbols',
      'BTCUSDT',
      '--start',
      `${D1}T00:00Z`,
      '--end',
      `${D1}T01:00Z`,
      '--tf',
      '1s',
      '--out',
      bars,
    ]);
    expect(b.code).toBe(0);
    const seconds = await readParquet(bars);
    expect(seconds).toHaveLength(3600);
    const traded = await engine.query(
      `SELECT ts, vwap, trade_count FROM silver_bars_1s WHERE symbol = 'BTCUSDT' AND ts < TIMESTAMP '${D1} 01:00:00'`,
    );
    expect(traded.rows.length).toBeGreaterThan(50);
    for (const v of traded.rows)
      expect(seconds.find((x) => x.time === v.ts)).toMatchObject({ vwap: v.vwap, trade_count: v.trade_count });
  }, 60_000);

  it.each([
    [
      'an unknown symbol',
      ['--symbols', 'DOGEUSDT', '--out', out('x.parquet')],
      /^lakehouse: unknown symbol DOGEUSDT: silver_klines/,
    ],
    [
      'an unknown column',
      ['--columns', 'close,nope', '--out', out('x.parquet')],
      /^lakehouse: unknown column 'nope': silver_klines/,
    ],
    ['start after end', ['--start', `${D1}T05:00Z`, '--out', out('x.parquet')], /is not before --end/],
    ['a bad --tf', ['--tf', '2m', '--out', out('x.parquet')], /argument '2m' is invalid/],
    ['1s from Gold', ['--tf', '1s', '--layer', 'gold', '--out', out('x.parquet')], /^lakehouse: Gold has no 1s rows/],
    ['an unknown extension', ['--out', out('x.json')], /expected a file name ending in \.parquet or \.csv/],
    ['a missing --out folder', ['--out', out('no/x.csv')], /no\/x\.csv: .* does not exist/],
  ])(
    'refuses %s with one line and exit 2',
    async (_name, args, message) => {
      const base = ['--symbols', 'BTCUSDT', ...HOURS_0_3, '--tf', '1m'];
      const flags = (a: string[]) => new Set(a.filter((x) => x.startsWith('--')));
      const given = flags(args);
      const r = await slice([...base.filter((x, i) => !given.has(x) && !given.has(base[i - 1])), ...args]);
      expect({ code: r.code, stdout: r.stdout, lines: r.stderr.trimEnd().split('\n').length }).toEqual({
        code: 2,
        stdout: '',
        lines: 1,
      });
      expect(r.stderr).toMatch(message);
    },
    30_000,
  );

  it('needs --exchange for a symbol held on several exchanges, and reads only that one', async () => {
    const file = out('sol.parquet');
    const r = await slice(['--symbols', 'SOLUSDT', ...HOURS_0_3, '--tf', '1h', '--out', file]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 2,
      stderr: 'lakehouse: SOLUSDT is on binance and binanceus in silver_klines (1h): name one with --exchange\n',
    });
    const ok = await slice(['--symbols', 'SOLUSDT', '--exchange', 'binanceus', ...HOURS_0_3, '--tf', '1h', '--out', file]);
    expect(ok.code).toBe(0);
    expect((await readParquet(file)).map((x) => [x.exchange, x.data_ok])).toEqual([
      ['binanceus', true],
      ['binanceus', true],
      ['binanceus', true],
    ]);
  }, 30_000);

  it('says when the range holds nothing (exit 6) and leaves no file behind', async () => {
    const file = out('empty.parquet');
    const r = await slice([
      '--symbols',
      'BTCUSDT,ETHUSDT',
      '--start',
      '2024-05-03',
      '--end',
      '2024-05-04',
      '--tf',
      '1h',
      '--out',
      file,
    ]);
    expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 6, stdout: '' });
    expect(r.stderr).toMatch(
      /^lakehouse: nothing to slice: silver_klines \(1h\) has no rows for binance\/BTCUSDT, binance\/ETHUSDT/,
    );
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 30_000);
});
