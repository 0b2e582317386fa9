import { runGold, runScheduledGold } from '../../lib/gold/gold-job';
import { expectedInputs, GoldInput } from '../../lib/gold/data-ok';
import { computeFeatures, WARMUP_DAYS } from '../../lib/gold/features';
import { readTable } from '../../lib/parquet/read';
import { putTable } from '../../lib/parquet/write';
import { dataset } from '../../lib/schema/registry';
import { deriveBars } from '../../lib/silver/derive-klines';
import { addDays, dateRange, dayStart, partitionFileKey } from '../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { Table } from '../../lib/table/table';
import { tmpDir } from '../helpers/sample-rows';
import { eventInputs, silver1m } from './helpers/gold-inputs';

/**
 * runGold on a local lake: it finds the warm-up, the next day (labels), the daily bars, the day's order book and
 * the spot symbol's perpetual on binance-futures by itself, and writes features, OHLCV and the Gold report.
 */
const FIRST = '2024-03-01';
const DT = '2024-03-16';
const LAST = '2024-03-17';
const SPOT = { exchange: 'binance', symbol: 'BTCUSDT' };
const PERP = { exchange: 'binance-futures', symbol: 'BTCUSDT' };
const CANDLE_NAMES = ['KLINE_1M', 'KLINE_5M', 'KLINE_15M'];
const EVERY_NEEDED = [...CANDLE_NAMES, 'BOOK', 'FUNDING', 'OPEN_INTEREST', 'LIQUIDATIONS'];

describe('runGold on a lake with every input', () => {
  const store = new LocalObjectStore(tmpDir('gold-job'));
  const all = silver1m(FIRST, LAST);
  const events = eventInputs([addDays(DT, -1), DT]);
  const klines = dataset('silver', 'klines');

  beforeAll(async () => {
    const open = all.num('open_time');
    for (const dt of dateRange(FIRST, LAST)) {
      const idx = Array.from(open.keys()).filter((i) => open[i] >= dayStart(dt) && open[i] < dayStart(dt) + 86_400_000);
      const day = all.take(idx);
      await putTable(store, partitionFileKey(klines, { timeframe: '1m', ...SPOT, dt }), day);
      await putTable(
        store,
        partitionFileKey(klines, { timeframe: '1d', ...SPOT, dt }),
        Table.fromRows(klines, deriveBars(day, '1d')),
      );
    }
    const byDay = (t: Table, dt: string) => {
      const time = t.num('event_time');
      return t.take(Array.from(time.keys()).filter((i) => time[i] >= dayStart(dt) && time[i] < dayStart(dt) + 86_400_000));
    };
    await putTable(store, partitionFileKey(dataset('silver', 'book_top10'), { ...SPOT, dt: DT }), byDay(events.book!, DT));
    for (const dt of [addDays(DT, -1), DT]) {
      await putTable(store, partitionFileKey(dataset('silver', 'funding'), { ...PERP, dt }), byDay(events.funding!, dt));
      await putTable(
        store,
        partitionFileKey(dataset('silver', 'open_interest'), { ...PERP, dt }),
        byDay(events.openInterest!, dt),
      );
      await putTable(
        store,
        partitionFileKey(dataset('silver', 'liquidations'), { ...PERP, dt }),
        byDay(events.liquidations!, dt),
      );
    }
  });

  it('builds features equal to computing them from the same inputs in memory, and reports what it read', async () => {
    const [r] = await runGold({ store, dt: DT, ...SPOT });
    expect(r).toMatchObject({ ...SPOT, dt: DT, rows: 1440 });
    expect(r.inputs).toEqual({
      klines1mRows: 14 * 1440,
      dailyBars: 16,
      bookSnapshots: events.book!.length / 2,
      perpetual: PERP,
      fundingRows: events.funding!.length,
      openInterestRows: events.openInterest!.length,
      liquidationRows: events.liquidations!.length,
      expected: EVERY_NEEDED,
      missingRows: {},
    });
    expect(r.validity).toMatchObject({ invalid: 0, unexpectedNulls: 0 });
    expect(r.dataOkRows).toBe(1440);

    const spec = dataset('gold', 'features_1m');
    const written = await readTable(store, spec, partitionFileKey(spec, { ...SPOT, dt: DT }));
    const open = all.num('open_time');
    const window = all.take(Array.from(open.keys()).filter((i) => open[i] >= dayStart(addDays(DT, -12))));
    const inMemory = { klines1m: window, daily: Table.fromRows(klines, deriveBars(all, '1d')), ...events };
    const coverage = { book: DT, funding: addDays(DT, -1), openInterest: addDays(DT, -1) };
    const expected = computeFeatures({ ...inMemory, expected: expectedInputs('binance', 'BTCUSDT', coverage) }, DT);
    const columns = [
      'sma_7_1d',
      'book_imbalance_l5_1m',
      'funding_rate',
      'liq_notional_1h',
      'oi_change_pct_1h',
      'rsi_14_15m',
      'label_ret_60m',
    ];
    for (const c of [...columns, 'inputs']) {
      expect([c, Array.from(written.num(c))]).toEqual([c, Array.from(expected.num(c))]);
    }
    expect(written.num('sma_7_1d').every((x) => !Number.isNaN(x))).toBe(true);
    expect(written.num('liq_count_1h').every((x) => x >= 0)).toBe(true);

    const report = JSON.parse(Buffer.from(await store.get(`reports/gold/dt=${DT}/binance_BTCUSDT.json`)).toString());
    expect(report).toMatchObject({ rows: 1440, dataOkRows: 1440, inputs: { perpetual: PERP }, validity: { invalid: 0 } });
  });

  it('leaves order-book and perpetual features null (and data_ok unaffected) before the lake holds them', async () => {
    const [r] = await runGold({ store, dt: addDays(DT, -2), ...SPOT });
    expect(r.inputs).toMatchObject({
      bookSnapshots: 0,
      perpetual: null,
      liquidationRows: null,
      expected: CANDLE_NAMES,
      missingRows: {},
    });
    const spec = dataset('gold', 'features_1m');
    const g = await readTable(store, spec, partitionFileKey(spec, { ...SPOT, dt: addDays(DT, -2) }));
    expect(g.num('book_spread_bps_1m').every(Number.isNaN)).toBe(true);
    expect(g.num('funding_rate').every(Number.isNaN)).toBe(true);
    expect(r.dataOkRows).toBe(1440);
    const candlesAndDaily = GoldInput.KLINE_1M | GoldInput.KLINE_5M | GoldInput.KLINE_15M | GoldInput.DAILY;
    expect(g.num('inputs').every((x) => x === candlesAndDaily)).toBe(true);
  });

  it('needs the book and the perpetual on a day after their collection stopped, and reports the rows without them', async () => {
    // The lake has snapshots from DT and the perpetual from the day before; LAST has neither (DT's last readings
    // stay fresh for the first hour).
    const [r] = await runGold({ store, dt: LAST, ...SPOT });
    expect(r.inputs).toMatchObject({
      bookSnapshots: 0,
      perpetual: PERP,
      expected: EVERY_NEEDED,
      missingRows: { BOOK: 1440, FUNDING: 1440 - 59, OPEN_INTEREST: 1440 - 59 },
    });
    expect(r.dataOkRows).toBe(0);
    const report = JSON.parse(Buffer.from(await store.get(`reports/gold/dt=${LAST}/binance_BTCUSDT.json`)).toString());
    expect(report.inputs.missingRows).toEqual({ BOOK: 1440, FUNDING: 1381, OPEN_INTEREST: 1381 });
  }, 60_000);

  it('Kraken spot uses the mapped perpetual where the lake has it and never needs it', async () => {
    const kraken = { exchange: 'kraken', symbol: 'XBT/USD' };
    const open = all.num('open_time');
    for (const dt of dateRange(addDays(LAST, -WARMUP_DAYS), LAST)) {
      const idx = Array.from(open.keys()).filter((i) => open[i] >= dayStart(dt) && open[i] < dayStart(dt) + 86_400_000);
      await putTable(store, partitionFileKey(klines, { timeframe: '1m', ...kraken, dt }), all.take(idx));
    }
    const [r] = await runGold({ store, dt: LAST, ...kraken });
    expect(r.inputs).toMatchObject({ perpetual: PERP, expected: CANDLE_NAMES, missingRows: {} });
    expect(r.dataOkRows).toBe(1440);
    const spec = dataset('gold', 'features_1m');
    const g = await readTable(store, spec, partitionFileKey(spec, { ...kraken, dt: LAST }));
    expect(g.num('inputs')[0] & GoldInput.FUNDING).toBeTruthy();
    expect(g.num('inputs')[1439] & GoldInput.FUNDING).toBe(0);
    expect(g.num('funding_rate')[0]).not.toBeNaN();
  }, 60_000);
});

describe('the daily schedule completes the labels of the day before', () => {
  it('rebuilds yesterday-but-one once its next day exists: labels fill in, features stay identical', async () => {
    const store = new LocalObjectStore(tmpDir('gold-sched'));
    const klines = dataset('silver', 'klines');
    const all = silver1m('2024-03-01', '2024-03-11');
    const open = all.num('open_time');
    const putDay = async (dt: string) => {
      const idx = Array.from(open.keys()).filter((i) => open[i] >= dayStart(dt) && open[i] < dayStart(dt) + 86_400_000);
      await putTable(store, partitionFileKey(klines, { timeframe: '1m', ...SPOT, dt }), all.take(idx));
    };
    for (const dt of dateRange('2024-03-01', '2024-03-10')) await putDay(dt);
    const spec = dataset('gold', 'features_1m');
    const key = partitionFileKey(spec, { ...SPOT, dt: '2024-03-10' });
    await runGold({ store, dt: '2024-03-10' });
    const first = await readTable(store, spec, key);
    expect(first.num('label_ret_60m').slice(1380).every(Number.isNaN)).toBe(true);

    await putDay('2024-03-11');
    const r = await runScheduledGold({ store, dt: '2024-03-11' });
    expect(r.relabelled.map((g) => [g.symbol, g.dt])).toEqual([['BTCUSDT', '2024-03-10']]);
    expect(r.built.map((g) => [g.symbol, g.dt])).toEqual([['BTCUSDT', '2024-03-11']]);
    const again = await readTable(store, spec, key);
    expect(again.num('label_ret_60m').slice(1380).some(Number.isNaN)).toBe(false);
    for (const c of ['rsi_14_1m', 'macd_15m', 'vwap_session_1m', 'inputs', 'data_ok']) {
      expect([c, Array.from(again.columns[c] as ArrayLike<unknown>)]).toEqual([
        c,
        Array.from(first.columns[c] as ArrayLike<unknown>),
      ]);
    }
  });
});
