import { runRange } from '../../lib/app/run-range';
import { importArchive } from '../../lib/history/import-archive';
import { LakeQueryEngine } from '../../lib/local/duckdb-lake';
import { putTable } from '../../lib/parquet/write';
import { parseQuery, savedQueries } from '../../lib/queries';
import { dataset } from '../../lib/schema/registry';
import { bronzeFileKey, partitionFileKey } from '../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { Table } from '../../lib/table/table';
import { tmpDir } from '../helpers/sample-rows';
import { testdataPath } from '../helpers/testdata';

const LINK = testdataPath('binance_um_futures_klines_1m/LINKUSDT-1m-2023-02.csv');
const EX = 'binance-futures';
const T0 = Date.UTC(2023, 1, 2);

/** Parameter values for each saved query against the test lake. */
const PARAMS: Record<string, (string | number)[]> = {
  'completeness-per-day': ['2023-02-01', '2023-02-03'],
  'latest-features': ['2023-02-02'],
  'ohlcv-per-timeframe': ['1h', 'LINKUSDT', '2023-02-02', '2023-02-02'],
  'funding-vs-price': ['LINKUSDT', '2023-02-02', '2023-02-02'],
  gaps: ['2023-02-01', '2023-02-03'],
  'flagged-minutes': ['2023-02-01', '2023-02-03'],
};

describe('saved Athena queries, run in DuckDB on a local lake', () => {
  const store = new LocalObjectStore(tmpDir('saved-queries'));
  let engine: LakeQueryEngine;

  beforeAll(async () => {
    await importArchive({ store, file: LINK, dataset: 'klines', exchange: EX });
    await runRange({ store, from: '2023-02-01', to: '2023-02-03' });
    // A few funding rows and one gap, as the futures collector would write them.
    const funding = dataset('silver', 'funding');
    await putTable(store, partitionFileKey(funding, { exchange: EX, symbol: 'LINKUSDT', dt: '2023-02-02' }), Table.fromRows(funding,
      [0, 1, 2].flatMap((h) => [0, 30].map((m) => ({
        event_time: T0 + h * 3_600_000 + m * 60_000, mark_price: 7 + h / 10, index_price: 7, funding_rate: 0.0001 * (h + 1), next_funding_time: T0 + 8 * 3_600_000,
        base: 'LINK', quote: 'USDT', ingest_time: T0, source: 'ws', quality_flags: 0,
      })))));
    const gaps = dataset('bronze', 'gaps');
    await putTable(store, bronzeFileKey(gaps, { exchange: EX, symbol: 'LINKUSDT', dt: '2023-02-02', hour: 5 }, T0 + 5 * 3_600_000, 'test'), Table.fromRows(gaps, [{
      stream: 'linkusdt@trade', start_time: T0 + 5 * 3_600_000, end_time: T0 + 5 * 3_600_000 + 42_000, cause: 'reconnect', detected_at: T0 + 5 * 3_600_000 + 43_000,
      base: 'LINK', quote: 'USDT', ingest_time: T0 + 5 * 3_600_000 + 43_000, source: 'ws',
    }]));
    engine = await LakeQueryEngine.open(store.localRoot);
  });
  afterAll(() => engine?.close());

  it('has parameters for every saved query', () => {
    expect(Object.keys(PARAMS).sort()).toEqual(savedQueries().map((q) => q.name).sort());
  });

  it('completeness-per-day: every day complete from the archive', async () => {
    const q = savedQueries().find((x) => x.name === 'completeness-per-day')!;
    const r = await engine.query(q.sql, PARAMS[q.name]);
    expect(r.rows).toHaveLength(3);
    for (const row of r.rows) expect(row).toMatchObject({ rows_kept: '1440', real_minutes: '1440', completeness_pct: 100 });
  });

  it('latest-features: the last minute of the day with its indicators', async () => {
    const q = savedQueries().find((x) => x.name === 'latest-features')!;
    const r = await engine.query(q.sql, PARAMS[q.name]);
    expect(r.rows).toEqual([expect.objectContaining({ exchange: EX, symbol: 'LINKUSDT', ts: '2023-02-03 00:00:00', data_ok: true })]);
    expect(r.rows[0].rsi_14_15m).toEqual(expect.any(Number));
  });

  it('ohlcv-per-timeframe: 24 hourly bars', async () => {
    const q = savedQueries().find((x) => x.name === 'ohlcv-per-timeframe')!;
    const r = await engine.query(q.sql, PARAMS[q.name]);
    expect(r.rows).toHaveLength(24);
    expect(r.rows[0]).toMatchObject({ open_time: '2023-02-02 00:00:00', source: 'archive' });
  });

  it('funding-vs-price: hourly funding joined to the hourly close', async () => {
    const q = savedQueries().find((x) => x.name === 'funding-vs-price')!;
    const r = await engine.query(q.sql, PARAMS[q.name]);
    expect(r.rows).toHaveLength(3);
    expect(r.rows[1]).toMatchObject({ hour_start: '2023-02-02 01:00:00', funding_rate: 0.0002, mark_price: 7.1 });
    expect(r.rows[1].close_1h).toEqual(expect.any(Number));
  });

  it('gaps: the ledger with durations', async () => {
    const q = savedQueries().find((x) => x.name === 'gaps')!;
    const r = await engine.query(q.sql, PARAMS[q.name]);
    expect(r.rows).toEqual([expect.objectContaining({ stream: 'linkusdt@trade', cause: 'reconnect', seconds: '42' })]);
  });

  it('flagged-minutes: runs and returns archive rows by flag', async () => {
    const q = savedQueries().find((x) => x.name === 'flagged-minutes')!;
    const r = await engine.query(q.sql, PARAMS[q.name]);
    expect(r.rows.every((row) => row.source === 'archive')).toBe(true);
  });

  it('rejects a query file whose header and placeholders disagree', () => {
    expect(() => parseQuery('x.sql', '-- name: x\n-- description: y\n-- params: a\nSELECT ? , ?')).toThrow(/2 '\?' placeholders but 1 params/);
    expect(() => parseQuery('x.sql', 'SELECT 1')).toThrow(/needs '-- name:'/);
  });
});
