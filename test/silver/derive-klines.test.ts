import { QualityFlag } from '../../lib/schema/quality-flags';
import { timeframeMs } from '../../lib/schema/columns';
import { deriveBars } from '../../lib/silver/derive-klines';
import { cleanKlines1m } from '../../lib/silver/klines-1m';
import { bronzeDay } from '../helpers/klines';

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
});
