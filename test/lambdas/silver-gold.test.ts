import { BronzeBuffers } from '../../lib/bronze/bronze-buffers';
import { writeBronze } from '../../lib/bronze/bronze-writer';
import { validateFeatures } from '../../lib/gold/validity';
import { backfillKlines } from '../../lib/history/rest-backfill';
import { Metric } from '../../lib/monitoring/metrics';
import { readTable } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { startSimulator } from '../../lib/simulator';
import { dayStart } from '../../lib/storage/lake-paths';
import { listAll, type ObjectStore } from '../../lib/storage/object-store';
import { UserError } from '../../lib/util/errors';
import { handler as gold } from '../../lambdas/gold';
import { handler as silver } from '../../lambdas/silver';
import { kline } from '../helpers/klines';
import type { LocalS3 } from '../helpers/s3rver';
import { captureStdout, emfLines, scheduledEvent, useLake } from './helpers';
import { startS3 } from '../helpers/s3rver';

const DT = '2024-03-04';
const MIN = 60_000;
const DAY0 = dayStart(DT);
const GAP = [DAY0 + 600 * MIN, DAY0 + 630 * MIN]; // ETHUSDT misses 10:00-10:29
const PARTITION_DIMENSIONS = [[]];

/**
 * A day of Bronze 1m klines from the simulator's REST API in s3rver: BTCUSDT complete plus one WebSocket row
 * with a zero price (Silver must quarantine it), ETHUSDT with a 30-minute hole. Then the handlers, as Lambda
 * would call them, with the lake taken from LAKE_URL/S3_ENDPOINT.
 */
describe('silver and gold handlers on s3rver', () => {
  let s3: LocalS3;
  let store: ObjectStore;

  beforeAll(async () => {
    s3 = await startS3();
    store = s3.store('sg');
    useLake(s3, 'sg');
    const sim = await startSimulator({
      symbols: ['BTCUSDT', 'ETHUSDT'],
      seed: 11,
      start: DAY0 + 86_400_000 + 30 * MIN,
      speed: 'max',
      historyDays: 3,
    });
    try {
      const rest = { store, exchange: 'binance' as const, restBase: sim.restBaseUrl, now: () => sim.clock.now() };
      await backfillKlines({ ...rest, symbol: 'BTCUSDT', from: DAY0, to: DAY0 + 1440 * MIN });
      await backfillKlines({ ...rest, symbol: 'ETHUSDT', from: DAY0, to: GAP[0] });
      await backfillKlines({ ...rest, symbol: 'ETHUSDT', from: GAP[1], to: DAY0 + 1440 * MIN });
    } finally {
      await sim.stop();
    }
    const buffers = new BronzeBuffers('binance');
    buffers.add({
      dataset: 'klines',
      symbol: 'BTCUSDT',
      timeframe: '1m',
      stream: 'btcusdt@kline_1m',
      row: kline(DAY0 + 720 * MIN, { open: 0 }),
    });
    await writeBronze(store, buffers.drain());
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('silver (scheduled): builds yesterday, writes partitions and reports, and emits the Silver metrics', async () => {
    const { result, lines } = await captureStdout(() => silver(scheduledEvent('2024-03-05T01:00:00Z')));
    expect(result).toMatchObject({ dt: DT, partitions: 2 });
    const bySymbol = Object.fromEntries(result.results.map((r) => [r.symbol, r]));
    expect(bySymbol.BTCUSDT).toMatchObject({
      exchange: 'binance',
      verdict: 'INVESTIGATE',
      completenessPercent: 100,
      quarantined: 1,
      rows: 1440,
      missingMinutes: 0,
    });
    expect(bySymbol.ETHUSDT).toMatchObject({ verdict: 'INVESTIGATE', quarantined: 0, rows: 1410, missingMinutes: 30 });
    expect(bySymbol.ETHUSDT.completenessPercent).toBeCloseTo((1410 / 1440) * 100, 10);

    const keys = (await listAll(store, '')).map((o) => o.key);
    for (const sym of ['BTCUSDT', 'ETHUSDT']) {
      for (const tf of ['1m', '5m', '15m', '30m', '1h', '4h', '1d'])
        expect(keys).toContain(`silver/klines/timeframe=${tf}/exchange=binance/symbol=${sym}/dt=${DT}/data.parquet`);
      expect(keys).toContain(`reports/quality/dt=${DT}/binance_${sym}.json`);
      expect(keys).toContain(`reports/quality/dt=${DT}/binance_${sym}.md`);
    }
    expect(keys).toContain(`quarantine/klines/timeframe=1m/exchange=binance/symbol=BTCUSDT/dt=${DT}/data.parquet`);
    const eth = await readTable(
      store,
      dataset('silver', 'klines'),
      `silver/klines/timeframe=1m/exchange=binance/symbol=ETHUSDT/dt=${DT}/data.parquet`,
    );
    expect(eth.length).toBe(1410);
    const report = JSON.parse(Buffer.from(await store.get(`reports/quality/dt=${DT}/binance_ETHUSDT.json`)).toString());
    expect(report).toMatchObject({ verdict: 'INVESTIGATE', klines_1m: { missingRanges: [[GAP[0], GAP[1] - MIN]] } });

    const emf = emfLines(lines);
    expect(emf).toHaveLength(2);
    for (const e of emf) {
      expect(e.dimensions).toEqual(PARTITION_DIMENSIONS);
      // Published (billed) metrics only; SilverPartitionsBuilt rides along in the line.
      expect(e.units).toEqual({ [Metric.SilverCompleteness]: 'Percent', [Metric.SilverQuarantinedRows]: 'Count' });
      expect(e.doc).toMatchObject({ Exchange: 'binance', dt: DT, job: 'silver' });
    }
    const emfBy = Object.fromEntries(emf.map((e) => [e.doc.Symbol as string, e.values]));
    expect(emfBy.BTCUSDT).toEqual({
      [Metric.SilverCompleteness]: 100,
      [Metric.SilverQuarantinedRows]: 1,
      [Metric.SilverPartitionsBuilt]: 1,
    });
    expect(emfBy.ETHUSDT[Metric.SilverCompleteness]).toBeCloseTo((1410 / 1440) * 100, 10);
    expect(emfBy.ETHUSDT[Metric.SilverQuarantinedRows]).toBe(0);
  });

  it('silver: a named partition only (symbol case-insensitive), and a run again gives the same report', async () => {
    const before = JSON.parse(Buffer.from(await store.get(`reports/quality/dt=${DT}/binance_ETHUSDT.json`)).toString());
    const { result, lines } = await captureStdout(() => silver({ dt: DT, exchange: 'binance', symbol: 'ethusdt' }));
    expect(result.results.map((r) => r.symbol)).toEqual(['ETHUSDT']);
    expect(emfLines(lines).map((e) => e.doc.Symbol)).toEqual(['ETHUSDT']);
    const after = JSON.parse(Buffer.from(await store.get(`reports/quality/dt=${DT}/binance_ETHUSDT.json`)).toString());
    expect({ ...after, builtAt: '' }).toEqual({ ...before, builtAt: '' });
  });

  it('silver: a date without Bronze builds nothing and publishes SilverPartitionsBuilt 0 without dimensions', async () => {
    const { result, lines } = await captureStdout(() => silver({ dt: '2024-03-01' }));
    expect(result).toEqual({ dt: '2024-03-01', partitions: 0, results: [] });
    const [line, ...rest] = emfLines(lines);
    expect(rest).toEqual([]);
    expect(line.dimensions).toEqual([[]]);
    expect(line.values).toEqual({ [Metric.SilverPartitionsBuilt]: 0 });
  });

  it('silver and gold reject bad events with a clear error and emit nothing', async () => {
    for (const [handler, event, message] of [
      [silver, { dt: '2024-02-30' }, 'event.dt "2024-02-30" is not a date (expected YYYY-MM-DD)'],
      [silver, { dt: 20240304 }, 'event.dt 20240304 is not a date (expected YYYY-MM-DD)'],
      [gold, { dt: DT, exchange: 'ftx' }, 'event.exchange "ftx" is not one of binance, binanceus, binance-futures, kraken'],
      [gold, { dt: DT, symbol: '' }, 'event.symbol "" is not a symbol'],
      [gold, 'today', 'the event must be a JSON object, got "today"'],
    ] as const) {
      const { result: error, lines } = await captureStdout(() =>
        (handler as (e: unknown) => Promise<unknown>)(event).then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toBe(message);
      expect(lines).toEqual([]);
    }
  });

  it('gold: builds features and OHLCV from Silver and emits the Gold metrics matching the written file', async () => {
    const { result, lines } = await captureStdout(() => gold({ dt: DT }));
    expect(result).toMatchObject({ dt: DT, partitions: 2 });
    const emf = emfLines(lines);
    expect(emf).toHaveLength(2);
    for (const sym of ['BTCUSDT', 'ETHUSDT']) {
      const key = `gold/features_1m/exchange=binance/symbol=${sym}/dt=${DT}/data.parquet`;
      const features = await readTable(store, dataset('gold', 'features_1m'), key);
      const dataOkPercent = (features.bool('data_ok').filter(Boolean).length / features.length) * 100;
      const v = validateFeatures(features);
      const invalid = v.invalid + v.unexpectedNulls;
      expect(result.results.find((r) => r.symbol === sym)).toEqual({
        exchange: 'binance',
        symbol: sym,
        rows: features.length,
        dataOkPercent,
        invalidFeatures: invalid,
      });
      const line = emf.find((e) => e.doc.Symbol === sym)!;
      expect(line.dimensions).toEqual(PARTITION_DIMENSIONS);
      expect(line.values).toEqual({
        [Metric.GoldInvalidFeatures]: invalid,
        [Metric.GoldRows]: features.length,
        [Metric.GoldDataOkPercent]: dataOkPercent,
      });
      expect(line.units).toEqual({ [Metric.GoldInvalidFeatures]: 'Count', [Metric.GoldDataOkPercent]: 'Percent' });
      for (const tf of ['5m', '15m', '30m', '1h', '4h', '1d'])
        expect(await store.exists(`gold/ohlcv_${tf}/exchange=binance/symbol=${sym}/dt=${DT}/data.parquet`)).toBe(true);
    }
    const btc = result.results.find((r) => r.symbol === 'BTCUSDT')!;
    expect(btc.rows).toBe(1440);
    expect(btc.invalidFeatures).toBe(0);
    // Without earlier days the indicators warm up inside the day: the slowest required ones (EMA 50 and the
    // 50-bar price zone on 15m bars) need 12.5 hours, so a little under half of the rows are usable.
    expect(btc.dataOkPercent).toBeGreaterThan(40);
    expect(btc.dataOkPercent).toBeLessThan(50);
  });

  it('gold on its schedule: builds yesterday and rebuilds the day before for its labels', async () => {
    // Fired the day after next: yesterday has no Silver here (nothing built), the day before is DT.
    const fired = new Date(DAY0 + 2 * 86_400_000 + 2 * 3_600_000).toISOString();
    const { result } = await captureStdout(() => gold(scheduledEvent(fired)));
    expect(result).toMatchObject({
      partitions: 0,
      relabelled: [
        { exchange: 'binance', symbol: 'BTCUSDT', dt: DT },
        { exchange: 'binance', symbol: 'ETHUSDT', dt: DT },
      ],
    });
  });
});
