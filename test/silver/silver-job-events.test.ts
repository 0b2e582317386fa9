import { sourceCollectorOptions, sourceProfile } from '../../lib/exchanges/registry';
import { Collector } from '../../lib/collector/collector';
import { EventClock } from '../../lib/collector/clock';
import { readTable } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { FaultPlan, generateTradeRows, startSimulator, type MarketModel } from '../../lib/simulator';
import { runSilver, type SilverResult } from '../../lib/silver/silver-job';
import { bronzeFileKey, partitionFileKey } from '../../lib/storage/lake-paths';
import { putTable } from '../../lib/parquet/write';
import { QualityFlag } from '../../lib/schema/quality-flags';
import { Table } from '../../lib/table/table';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { tmpDir } from '../helpers/sample-rows';
import { collectSimulatedRun } from '../helpers/sim-collect';

/**
 * `lakehouse silver` over a simulator day with duplicated frames: every event dataset is cleaned beside the
 * klines, bars_1s is built, the quality report lists them, and a second run writes identical partitions.
 */

const MIN = 60_000;
const START = Date.UTC(2024, 6, 1, 12, 0);
const END = START + 40 * MIN;
const DT = '2024-07-01';
const base = { exchange: 'binance', symbol: 'BTCUSDT', dt: DT };

describe('Silver job: event datasets from a simulated collection', () => {
  const store = new LocalObjectStore(tmpDir('silver-events'));
  let model: MarketModel;
  let first: SilverResult[];

  beforeAll(async () => {
    const plan = new FaultPlan({ events: [{ kind: 'duplicate', at: START + 10 * MIN, durationMs: 2 * MIN }] });
    const sim = await startSimulator({ symbols: ['BTCUSDT'], seed: 21, start: START, end: END, speed: 'max', faults: plan });
    model = sim.model;
    await collectSimulatedRun(
      sim,
      () =>
        new Collector({
          ...sourceCollectorOptions(sourceProfile('sim'), ['BTCUSDT'], sim.wsBaseUrl, sim.restBaseUrl),
          store,
          clock: new EventClock(sim.clock),
        }),
    );
    first = await runSilver({ store, dt: DT, now: () => END + 3_600_000 });
  }, 120_000);

  it('keeps the first copy of every trade: exactly the trades the simulator made', async () => {
    const trades = await readTable(store, dataset('silver', 'trades'), partitionFileKey(dataset('silver', 'trades'), base));
    const expected = generateTradeRows('BTCUSDT', START, END, { model });
    expect(Array.from(trades.num('trade_id'))).toEqual(Array.from(expected.num('trade_id')));
    const stats = first[0].report.datasets!.trades as { duplicates: number; missingIds: number; quarantined: number };
    expect(stats.duplicates).toBeGreaterThan(0);
    expect(stats).toMatchObject({ missingIds: 0, quarantined: 0 });
  });

  it('cleans quotes and book_top10, builds bars_1s, and reports every dataset', async () => {
    const report = first[0].report;
    expect(Object.keys(report.datasets!).sort()).toEqual(['bars_1s', 'book_top10', 'quotes', 'trades']);
    for (const name of ['book_top10', 'quotes']) {
      expect(report.datasets![name]).toMatchObject({ quarantined: 0 });
      expect(Number(report.datasets![name].duplicates)).toBeGreaterThan(0);
    }
    const bars = await readTable(store, dataset('silver', 'bars_1s'), partitionFileKey(dataset('silver', 'bars_1s'), base));
    expect(bars.length).toBe(report.datasets!.bars_1s.rowsOut);
    expect(bars.length).toBeGreaterThan(30 * 60);
    expect(report.verdict).toBe('FAIL'); // 40 minutes of a day: the klines minute grid is far from complete
  });

  it("checks the derived 5m and 15m bars against the exchange's own: the simulator's klines are exact", () => {
    const { parity } = first[0].report;
    expect(parity!['5m']).toMatchObject({ compared: 8, matching: 8, differing: 0, unmatched: 0 });
    expect(parity!['15m']).toMatchObject({ differing: 0, unmatched: 0 });
    expect(parity!['15m'].compared).toBeGreaterThanOrEqual(2);
  });

  it('is idempotent: a second run writes byte-identical partitions', async () => {
    const keys = first[0].files.filter((k) => k.endsWith('.parquet'));
    const before = await Promise.all(keys.map((k) => store.get(k)));
    await runSilver({ store, dt: DT, now: () => END + 3_600_000 });
    const after = await Promise.all(keys.map((k) => store.get(k)));
    expect(keys.length).toBeGreaterThanOrEqual(8);
    after.forEach((bytes, i) => expect(Buffer.compare(Buffer.from(bytes), Buffer.from(before[i]))).toBe(0));
  });

  it('flags Bronze that arrives after the first build LATE, and keeps the flag on later rebuilds', async () => {
    const built = END + 3_600_000;
    const t = Date.UTC(2024, 6, 1, 13, 0);
    const kSpec = dataset('bronze', 'klines');
    const late = Table.fromRows(kSpec, [
      {
        open_time: t,
        close_time: t + 59_999,
        open: 60_000,
        high: 60_010,
        low: 59_990,
        close: 60_005,
        volume: 1,
        quote_volume: 60_000,
        trade_count: 10,
        taker_buy_volume: 0.5,
        taker_buy_quote_volume: 30_000,
        is_closed: true,
        event_time: null,
        base: 'BTC',
        quote: 'USDT',
        ingest_time: built + 60_000,
        source: 'rest',
      },
    ]);
    await putTable(store, bronzeFileKey(kSpec, { ...base, timeframe: '1m', hour: 13 }, t, 'rest-late'), late);
    const klineKey = partitionFileKey(dataset('silver', 'klines'), { ...base, timeframe: '1m' });
    const flagsAt = async () => {
      const k = await readTable(store, dataset('silver', 'klines'), klineKey);
      const i = Array.from(k.num('open_time')).indexOf(t);
      return k.num('quality_flags')[i];
    };
    const [second] = await runSilver({ store, dt: DT, now: () => built + 7_200_000 });
    expect((await flagsAt()) & QualityFlag.LATE).toBe(QualityFlag.LATE);
    expect(second.report.klines_1m.flagged.LATE).toBe(1);
    expect(second.report.firstBuiltAt).toBe(new Date(built).toISOString());
    const before = await store.get(klineKey);
    await runSilver({ store, dt: DT, now: () => built + 9_000_000 });
    expect((await flagsAt()) & QualityFlag.LATE).toBe(QualityFlag.LATE);
    expect(Buffer.compare(Buffer.from(await store.get(klineKey)), Buffer.from(before))).toBe(0);
  });
});
