import { QualityFlag } from '../../lib/schema/quality-flags';
import { timeframeMs } from '../../lib/schema/columns';
import { deriveBars } from '../../lib/silver/derive-klines';
import { cleanKlines1m } from '../../lib/silver/klines-1m';
import { dataset } from '../../lib/schema/registry';
import { Table } from '../../lib/table/table';
import { bronzeDay, kline } from '../helpers/klines';

const DT = '2024-05-01';
const T0 = Date.parse(`${DT}T00:00:00Z`);

describe('derived timeframes from Silver 1m', () => {
  const silver = cleanKlines1m(bronzeDay(DT, [7, 8, 9]), DT, 0).silver;

  it('aggregates OHLCV exactly from the 1m bars of each bucket', () => {
    const bars = deriveBars(silver, '15m');
    expect(bars).toHaveLength(96);
    const b = bars[3];
    const ones = silver
      .rows()
      .filter((r) => (r.open_time as number) >= T0 + 45 * 60_000 && (r.open_time as number) < T0 + 60 * 60_000);
    expect(b).toMatchObject({
      open_time: T0 + 45 * 60_000,
      close_time: T0 + 60 * 60_000 - 1,
      minutes: 15,
      quality_flags: 0,
      is_closed: true,
      open: ones[0].open,
      close: ones[14].close,
      high: Math.max(...ones.map((r) => r.high as number)),
      low: Math.min(...ones.map((r) => r.low as number)),
      trade_count: 750,
    });
    expect(b.volume).toBeCloseTo(150, 9);
  });

  it('flags a bucket built from missing minutes PARTIAL and not closed', () => {
    const b = deriveBars(silver, '5m')[1];
    expect(b).toMatchObject({ minutes: 2, is_closed: false });
    expect((b.quality_flags as number) & QualityFlag.PARTIAL).toBeTruthy();
  });

  it('aligns buckets to UTC midnight for every timeframe', () => {
    for (const tf of ['5m', '15m', '30m', '1h', '4h', '1d']) {
      const bars = deriveBars(silver, tf);
      expect(bars).toHaveLength(86_400_000 / timeframeMs(tf));
      for (const b of bars) expect(((b.open_time as number) - T0) % timeframeMs(tf)).toBe(0);
    }
    expect(deriveBars(silver, '1d')[0]).toMatchObject({ minutes: 1437, open_time: T0 });
  });

  it('takes the price of a bucket from its minutes with trades, as the exchange builds its bars from trades', () => {
    // A thin market's hour: quiet minutes at the previous close (110, above every trade), trades, a quiet minute,
    // trades, and a last quiet minute; the hour after has no trade at all.
    const hour = 3_600_000;
    const quiet = (m: number, price: number) =>
      kline(T0 + m * 60_000, { open: price, high: price, low: price, close: price, volume: 0, trade_count: 0 });
    const traded = (m: number, open: number, high: number, low: number, close: number) =>
      kline(T0 + m * 60_000, { open, high, low, close, volume: 2, trade_count: 3 });
    const rows = [quiet(0, 110), quiet(1, 110), traded(2, 101, 104, 100, 103), quiet(3, 103), traded(4, 102, 105, 99, 100)];
    for (let m = 5; m < 60; m++) rows.push(quiet(m, 100));
    for (let m = 60; m < 120; m++) rows.push(quiet(m, 100));
    const silver = cleanKlines1m(Table.fromRows(dataset('bronze', 'klines'), rows), DT, 0).silver;
    const [first, second] = deriveBars(silver, '1h');
    expect(first).toMatchObject({ open_time: T0, open: 101, high: 105, low: 99, close: 100, volume: 4, trade_count: 6 });
    expect(second).toMatchObject({ open_time: T0 + hour, open: 100, high: 100, low: 100, close: 100, volume: 0 });
  });
});
