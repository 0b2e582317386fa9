import { LakeQueryEngine } from '../../lib/local/duckdb-lake';
import { readTable } from '../../lib/parquet/read';
import { putTable } from '../../lib/parquet/write';
import { parseQuery, researchViews, savedQueries, tableMacro } from '../../lib/queries';
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
  'bars-vs-klines': ['LINKUSDT', '2023-02-02', '2023-02-02', 'LINKUSDT', '2023-02-02', '2023-02-02'],
  'funding-oi-hourly': [
    'LINKUSDT',
    '2023-02-02',
    '2023-02-02',
    'LINKUSDT',
    '2023-02-02',
    '2023-02-02',
    'LINKUSDT',
    '2023-02-02',
    '2023-02-02',
  ],
  'gaps-with-completeness': ['2023-02-01', '2023-02-03', '2023-02-01', '2023-02-03'],
};

const HOUR_MS = 3_600_000;
/** Minutes of 2023-02-02 given 1s bars rebuilt from trades: 600 is 10:00. */
const PARITY = { first: 600, nudgedWithinTolerance: 601, tampered: 602, withoutTrades: 603, last: 604 } as const;

const query = (name: string) => savedQueries().find((x) => x.name === name)!;

/**
 * 1s bars for minutes PARITY.first..last of 2023-02-02, rebuilt so each minute aggregates to its archive kline: a
 * second with the open, high, low, close and half the volume, one at :30 with the close and the other half, and a
 * quote-only second without trades. One minute's close is nudged within the parity tolerance, one beyond it, and
 * one minute has no trades at all.
 */
async function barsFromKlines(store: LocalObjectStore): Promise<Table> {
  const klines = dataset('silver', 'klines');
  const day = await readTable(
    store,
    klines,
    partitionFileKey(klines, { timeframe: '1m', exchange: EX, symbol: 'LINKUSDT', dt: '2023-02-02' }),
  );
  const meta = { base: 'LINK', quote: 'USDT', ingest_time: T0, source: 'ws', quality_flags: 0 };
  const rows = [];
  for (let m: number = PARITY.first; m <= PARITY.last; m++) {
    if (m === PARITY.withoutTrades) continue;
    const k = day.row(m);
    const [open, high, low, close, volume, count] = ['open', 'high', 'low', 'close', 'volume', 'trade_count'].map((c) =>
      Number(k[c]),
    );
    const lastClose =
      m === PARITY.tampered ? close * (1 + 1e-6) : m === PARITY.nudgedWithinTolerance ? close * (1 + 1e-12) : close;
    const ts = T0 + m * 60_000;
    const quiet = { open: null, high: null, low: null, close: null, vwap: null, volume: 0, quote_volume: 0, trade_count: 0 };
    const second = (s: number) => ({ ts: ts + s * 1000, bid: close, ask: close, spread: 0, ...meta });
    rows.push(
      { ...second(0), open, high, low, close, volume: volume / 2, quote_volume: 0, vwap: open, trade_count: count - 1 },
      {
        ...second(30),
        open: close,
        high: close,
        low: close,
        close: lastClose,
        volume: volume / 2,
        quote_volume: 0,
        vwap: close,
        trade_count: 1,
      },
      { ...second(45), ...quiet },
    );
  }
  return Table.fromRows(dataset('silver', 'bars_1s'), rows);
}

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
    // Open interest polled three times in hours 0 and 3, growing within the hour: the hourly view keeps the last.
    const openInterest = dataset('silver', 'open_interest');
    await putTable(
      store,
      partitionFileKey(openInterest, { exchange: EX, symbol: 'LINKUSDT', dt: '2023-02-02' }),
      Table.fromRows(
        openInterest,
        [0, 3].flatMap((h) =>
          [0, 20, 40].map((m) => ({
            event_time: T0 + h * HOUR_MS + m * 60_000,
            open_interest: 1000 + h * 100 + m,
            open_interest_value: 7 * (1000 + h * 100 + m),
            base: 'LINK',
            quote: 'USDT',
            ingest_time: T0,
            source: 'rest',
            quality_flags: 0,
          })),
        ),
      ),
    );
    await putTable(
      store,
      partitionFileKey(dataset('silver', 'bars_1s'), { exchange: EX, symbol: 'LINKUSDT', dt: '2023-02-02' }),
      await barsFromKlines(store),
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
    // A gap across two hours of the day with interpolated minutes.
    await putTable(
      store,
      bronzeFileKey(gaps, { exchange: 'binance', symbol: 'LINKUSDT', dt: '2023-02-02', hour: 0 }, T0 + HOUR_MS, 'test'),
      Table.fromRows(gaps, [
        {
          stream: 'linkusdt@kline_1m',
          start_time: T0 + 3 * 60_000,
          end_time: T0 + HOUR_MS + 30_000,
          cause: 'silent_stream',
          detected_at: T0 + HOUR_MS + 31_000,
          base: 'LINK',
          quote: 'USDT',
          ingest_time: T0 + HOUR_MS + 31_000,
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

  it('gaps: the ledger with durations, longest first', async () => {
    const r = await engine.query(query('gaps').sql, PARAMS.gaps);
    expect(r.rows).toEqual([
      expect.objectContaining({ stream: 'linkusdt@kline_1m', cause: 'silent_stream', seconds: '3450' }),
      expect.objectContaining({ stream: 'linkusdt@trade', cause: 'reconnect', seconds: '42' }),
    ]);
  });

  it('bars-vs-klines: bars rebuilt from trades agree with the archive klines, within the parity tolerance', async () => {
    const r = await engine.query(query('bars-vs-klines').sql, PARAMS['bars-vs-klines']);
    // Only the minutes between the first and the last trade minute are compared.
    expect(r.rows.map((row) => [row.minute, row.side, row.kline_source, row.disagrees])).toEqual([
      ['2023-02-02 10:00:00', 'both', 'archive', false],
      ['2023-02-02 10:01:00', 'both', 'archive', false],
      ['2023-02-02 10:02:00', 'both', 'archive', true],
      ['2023-02-02 10:03:00', 'kline_only', 'archive', true],
      ['2023-02-02 10:04:00', 'both', 'archive', false],
    ]);
    const [clean, , tampered] = r.rows;
    for (const field of ['open', 'high', 'low', 'close', 'volume', 'trade_count'])
      expect(clean[`bar_${field}`]).toEqual(clean[`kline_${field}`]);
    expect(clean).toMatchObject({ open_diff: 0, close_diff: 0, volume_diff: 0, trade_count_diff: '0' });
    expect(Number(tampered.close_diff) / Number(tampered.kline_close)).toBeCloseTo(1e-6, 9);
    expect(tampered).toMatchObject({ open_diff: 0, volume_diff: 0 });
    expect(r.rows[3]).toMatchObject({ bar_close: null, kline_close: expect.any(Number) });
  });

  it('funding-oi-hourly: every hour of the close, with the last funding and open interest of the hour', async () => {
    const r = await engine.query(query('funding-oi-hourly').sql, PARAMS['funding-oi-hourly']);
    expect(r.rows).toHaveLength(24);
    expect(r.rows.every((row) => row.exchange === EX && typeof row.close === 'number')).toBe(true);
    const pick = ({
      hour_start,
      funding_rate,
      mark_price,
      funding_time,
      open_interest,
      open_interest_time,
    }: Record<string, unknown>) => ({
      hour_start,
      funding_rate,
      mark_price,
      funding_time,
      open_interest,
      open_interest_time,
    });
    expect(r.rows.slice(0, 5).map(pick)).toEqual([
      {
        hour_start: '2023-02-02 00:00:00',
        funding_rate: 0.0001,
        mark_price: 7,
        funding_time: '2023-02-02 00:30:00',
        open_interest: 1040,
        open_interest_time: '2023-02-02 00:40:00',
      },
      {
        hour_start: '2023-02-02 01:00:00',
        funding_rate: 0.0002,
        mark_price: 7.1,
        funding_time: '2023-02-02 01:30:00',
        open_interest: null,
        open_interest_time: null,
      },
      {
        hour_start: '2023-02-02 02:00:00',
        funding_rate: expect.closeTo(0.0003, 12),
        mark_price: 7.2,
        funding_time: '2023-02-02 02:30:00',
        open_interest: null,
        open_interest_time: null,
      },
      {
        hour_start: '2023-02-02 03:00:00',
        funding_rate: null,
        mark_price: null,
        funding_time: null,
        open_interest: 1340,
        open_interest_time: '2023-02-02 03:40:00',
      },
      {
        hour_start: '2023-02-02 04:00:00',
        funding_rate: null,
        mark_price: null,
        funding_time: null,
        open_interest: null,
        open_interest_time: null,
      },
    ]);
  });

  it('gaps-with-completeness: each gap beside the completeness of every hour it touches and of its day', async () => {
    const r = await engine.query(query('gaps-with-completeness').sql, PARAMS['gaps-with-completeness']);
    const pick = ({
      exchange,
      cause,
      hour_start,
      real_minutes,
      filled_minutes,
      hour_completeness_pct,
      day_completeness_pct,
    }: Record<string, unknown>) => ({
      exchange,
      cause,
      hour_start,
      real_minutes,
      filled_minutes,
      hour_completeness_pct,
      day_completeness_pct,
    });
    expect(r.rows.map(pick)).toEqual([
      // The binance day's interpolated minutes are 00:00-00:06: the gap's first hour lacks 7 of 60.
      {
        exchange: 'binance',
        cause: 'silent_stream',
        hour_start: '2023-02-02 00:00:00',
        real_minutes: '53',
        filled_minutes: '7',
        hour_completeness_pct: 88.333,
        day_completeness_pct: 99.514,
      },
      {
        exchange: 'binance',
        cause: 'silent_stream',
        hour_start: '2023-02-02 01:00:00',
        real_minutes: '60',
        filled_minutes: '0',
        hour_completeness_pct: 100,
        day_completeness_pct: 99.514,
      },
      {
        exchange: EX,
        cause: 'reconnect',
        hour_start: '2023-02-02 05:00:00',
        real_minutes: '60',
        filled_minutes: '0',
        hour_completeness_pct: 100,
        day_completeness_pct: 100,
      },
    ]);
    expect(r.rows[2]).toMatchObject({ stream: 'linkusdt@trade', seconds: '42' });
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

  it('research views: DuckDB table macros of the same SQL, one argument per distinct parameter, same rows', async () => {
    expect(researchViews().map((v) => `${v.name}(${v.params.join(', ')})`)).toEqual([
      'research_bars_vs_klines(p_symbol, p_from_dt, p_to_dt)',
      'research_funding_oi_hourly(p_symbol, p_from_dt, p_to_dt)',
      'research_gaps_with_completeness(p_from_dt, p_to_dt)',
    ]);
    // A fresh engine: the macro must build the dataset views its body reads, which the query's own text never names.
    const local = await LakeQueryEngine.open(store.localRoot, { tableMacros: researchViews() });
    try {
      for (const view of researchViews()) {
        const q = savedQueries().find((x) => x.view === view.name)!;
        const args = [...new Set(q.params)].map((p) => PARAMS[q.name][q.params.indexOf(p)]);
        const viaView = await local.query(`SELECT * FROM ${view.name}(${args.map(() => '?').join(', ')})`, args);
        const saved = await engine.query(q.sql, PARAMS[q.name]);
        expect(viaView.rows.length).toBeGreaterThan(0);
        expect(viaView).toEqual(saved);
      }
    } finally {
      local.close();
    }
  });

  it('rejects a query file whose header and placeholders disagree', () => {
    expect(() => parseQuery('x.sql', '-- name: x\n-- description: y\n-- params: a\nSELECT ? , ?')).toThrow(
      /2 '\?' placeholders but 1 params/,
    );
    expect(() => parseQuery('x.sql', 'SELECT 1')).toThrow(/needs '-- name:'/);
    expect(() => parseQuery('x.sql', '-- name: x\n-- description: y\n-- view: x_y\nSELECT 1')).toThrow(/research_/);
  });

  it('a table macro names each placeholder by its parameter, ignoring comment lines', () => {
    const q = parseQuery(
      'x.sql',
      '-- name: x\n-- description: y?\n-- params: a, b, a again\n-- view: research_x\nSELECT ? + ?\nWHERE a = ?',
    );
    expect(tableMacro(q)).toEqual({ name: 'research_x', params: ['p_a', 'p_b'], body: 'SELECT p_a + p_b\nWHERE a = p_a' });
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
