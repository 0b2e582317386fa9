import { LakeQueryEngine } from '../../lib/local/duckdb-lake';
import { putTable } from '../../lib/parquet/write';
import { parseQuery, savedQueries } from '../../lib/queries';
import { QualityFlag } from '../../lib/schema/quality-flags';
import { dataset } from '../../lib/schema/registry';
import { bronzeFileKey, partitionFileKey } from '../../lib/storage/lake-paths';
import type { LocalObjectStore } from '../../lib/storage/local-store';
import { Table } from '../../lib/table/table';
import { ARCHIVE_LAKE, buildArchiveLake } from '../helpers/query-lake';
import { sampleRows } from '../helpers/sample-rows';
import { decimalLiterals, tablesWithoutRange, trinoErrors } from '../helpers/trino';

const EX = ARCHIVE_LAKE.exchange;
const T0 = Date.UTC(2023, 1, 2);
/** A second exchange's 2023-02-02, written directly to Silver with this many interpolated minutes. */
const FILLED_MINUTES = 7;

/** Parameter values for each saved query against the test lake. */
const PARAMS: Record<string, (string | number)[]> = {
  'completeness-per-day': ['2023-02-01', '2023-02-03'],
  'latest-features': ['2023-02-02'],
  'ohlcv-per-timeframe': ['1h', 'LINKUSDT', '2023-02-02', '2023-02-02'],
  'funding-vs-price': ['LINKUSDT', '2023-02-02', '2023-02-02', '2023-02-02', '2023-02-02'],
  gaps: ['2023-02-01', '2023-02-03'],
  'flagged-minutes': ['2023-02-01', '2023-02-03'],
};

const query = (name: string) => savedQueries().find((x) => x.name === name)!;

describe('saved Athena queries, run in DuckDB on a local lake', () => {
  let store: LocalObjectStore;
  let engine: LakeQueryEngine;

  beforeAll(async () => {
    store = await buildArchiveLake('saved-queries');
    // A few funding rows and one gap, as the futures collector would write them.
    const funding = dataset('silver', 'funding');
    await putTable(
      store,
      partitionFileKey(funding, { exchange: EX, symbol: 'LINKUSDT', dt: '2023-02-02' }),
      Table.fromRows(
        funding,
        [0, 1, 2].flatMap((h) =>
          [0, 30].map((m) => ({
            event_time: T0 + h * 3_600_000 + m * 60_000,
            mark_price: 7 + h / 10,
            index_price: 7,
            funding_rate: 0.0001 * (h + 1),
            next_funding_time: T0 + 8 * 3_600_000,
            base: 'LINK',
            quote: 'USDT',
            ingest_time: T0,
            source: 'ws',
            quality_flags: 0,
          })),
        ),
      ),
    );
    const gaps = dataset('bronze', 'gaps');
    await putTable(
      store,
      bronzeFileKey(gaps, { exchange: EX, symbol: 'LINKUSDT', dt: '2023-02-02', hour: 5 }, T0 + 5 * 3_600_000, 'test'),
      Table.fromRows(gaps, [
        {
          stream: 'linkusdt@trade',
          start_time: T0 + 5 * 3_600_000,
          end_time: T0 + 5 * 3_600_000 + 42_000,
          cause: 'reconnect',
          detected_at: T0 + 5 * 3_600_000 + 43_000,
          base: 'LINK',
          quote: 'USDT',
          ingest_time: T0 + 5 * 3_600_000 + 43_000,
          source: 'ws',
        },
      ]),
    );
    // An incomplete day, so completeness has decimals a scale-1 DECIMAL would round away.
    const klines = dataset('silver', 'klines');
    const partial = partitionFileKey(klines, { timeframe: '1m', exchange: 'binance', symbol: 'LINKUSDT', dt: '2023-02-02' });
    await putTable(
      store,
      partial,
      Table.fromRows(
        klines,
        sampleRows(klines, 1440, T0).map((r, i) => ({
          ...r,
          source: i < FILLED_MINUTES ? 'filled' : 'ws',
          quality_flags: i < FILLED_MINUTES ? QualityFlag.FILLED : 0,
        })),
      ),
    );
    engine = await LakeQueryEngine.open(store.localRoot);
  }, 60_000);
  afterAll(() => engine?.close());

  it('has parameters for every saved query', () => {
    expect(Object.keys(PARAMS).sort()).toEqual(
      savedQueries()
        .map((q) => q.name)
        .sort(),
    );
    for (const q of savedQueries()) expect(PARAMS[q.name]).toHaveLength(q.params.length);
  });

  it('completeness-per-day: archive days complete, a day with fills as a DOUBLE percentage to three decimals', async () => {
    const r = await engine.query(query('completeness-per-day').sql, PARAMS['completeness-per-day']);
    expect(r.types[r.columns.indexOf('completeness_pct')]).toBe('DOUBLE');
    expect(r.rows.map((row) => [row.dt, row.exchange, row.completeness_pct])).toEqual([
      ['2023-02-01', EX, 100],
      ['2023-02-02', 'binance', 99.514],
      ['2023-02-02', EX, 100],
      ['2023-02-03', EX, 100],
    ]);
    const complete = expect.objectContaining({ rows_kept: '1440', real_minutes: '1440' });
    expect(r.rows.filter((row) => row.exchange === EX)).toEqual([complete, complete, complete]);
    expect(r.rows[1]).toMatchObject({
      rows_kept: '1440',
      real_minutes: String(1440 - FILLED_MINUTES),
      filled_minutes: String(FILLED_MINUTES),
    });
  });

  it('latest-features: the last minute of the day with its indicators', async () => {
    const r = await engine.query(query('latest-features').sql, PARAMS['latest-features']);
    // A perpetual built from archive klines alone (Gold ran before the funding rows were added): never data_ok.
    const latest = { exchange: EX, symbol: 'LINKUSDT', ts: '2023-02-03 00:00:00', inputs: 15, data_ok: false };
    expect(r.rows).toEqual([expect.objectContaining(latest)]);
    expect(r.rows[0].rsi_14_15m).toEqual(expect.any(Number));
  });

  it('ohlcv-per-timeframe: 24 hourly bars', async () => {
    const r = await engine.query(query('ohlcv-per-timeframe').sql, PARAMS['ohlcv-per-timeframe']);
    expect(r.rows).toHaveLength(24);
    expect(r.rows[0]).toMatchObject({ open_time: '2023-02-02 00:00:00', source: 'archive' });
  });

  it('funding-vs-price: hourly funding joined to the hourly close of the same dt range', async () => {
    const q = query('funding-vs-price');
    const r = await engine.query(q.sql, PARAMS[q.name]);
    expect(r.rows).toHaveLength(3);
    expect(r.rows[1]).toMatchObject({ hour_start: '2023-02-02 01:00:00', funding_rate: 0.0002, mark_price: 7.1 });
    expect(r.rows[1].close_1h).toEqual(expect.any(Number));
    expect(r.rows[1].mark_minus_close_bps).toBeCloseTo(
      (10_000 * (7.1 - Number(r.rows[1].close_1h))) / Number(r.rows[1].close_1h),
      3,
    );
    // The klines side reads only its own dt range: outside it, no close joins.
    const elsewhere = await engine.query(q.sql, ['LINKUSDT', '2023-02-02', '2023-02-02', '2023-02-03', '2023-02-03']);
    expect(elsewhere.rows.map((row) => row.close_1h)).toEqual([null, null, null]);
  });

  it('gaps: the ledger with durations', async () => {
    const r = await engine.query(query('gaps').sql, PARAMS.gaps);
    expect(r.rows).toEqual([expect.objectContaining({ stream: 'linkusdt@trade', cause: 'reconnect', seconds: '42' })]);
  });

  it('flagged-minutes: archive rows by flag, and the filled minutes', async () => {
    const r = await engine.query(query('flagged-minutes').sql, PARAMS['flagged-minutes']);
    expect(r.rows.filter((row) => row.exchange === EX).every((row) => row.source === 'archive')).toBe(true);
    expect(r.rows.filter((row) => row.exchange === 'binance')).toEqual([
      expect.objectContaining({
        dt: '2023-02-02',
        source: 'filled',
        quality_flags: QualityFlag.FILLED,
        bars: String(FILLED_MINUTES),
      }),
    ]);
  });

  it('rejects a query file whose header and placeholders disagree', () => {
    expect(() => parseQuery('x.sql', '-- name: x\n-- description: y\n-- params: a\nSELECT ? , ?')).toThrow(
      /2 '\?' placeholders but 1 params/,
    );
    expect(() => parseQuery('x.sql', 'SELECT 1')).toThrow(/needs '-- name:'/);
  });
});

describe('saved queries, checked as the Trino SQL Athena runs', () => {
  const cases = savedQueries().map((q) => [q.name, q.sql] as const);

  // Trino's grammar takes Athena's `?` execution parameters as they are, so no sample values are substituted.
  it.each(cases)(
    '%s parses with a Trino grammar',
    (_name, sql) => {
      expect(trinoErrors(sql)).toEqual([]);
    },
    30_000,
  );

  it.each(cases)(
    '%s reads every table within a dt range, so Athena prunes partitions',
    (_name, sql) => {
      expect(tablesWithoutRange(sql)).toEqual([]);
    },
    30_000,
  );

  it.each(cases)(
    '%s has no exact decimal literal (a DECIMAL in Trino, where DuckDB computes a DOUBLE)',
    (_name, sql) => {
      expect(decimalLiterals(sql)).toEqual([]);
    },
    30_000,
  );
});
