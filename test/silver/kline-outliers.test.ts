import { revertingSpikeFlags } from '../../lib/silver/kline-outliers';
import type { BarView } from '../../lib/silver/outages';
import { cleanKlines1m } from '../../lib/silver/klines-1m';
import { QualityFlag } from '../../lib/schema/quality-flags';
import { bronzeDay } from '../helpers/klines';
import { KLINE_FILES, readKlines } from '../gold/helpers/bars';

/** A day of calm bars: closes wiggle by ~0.05 % a minute, wicks 0.03 %. */
function calmDay(): BarView[] {
  return Array.from({ length: 1440 }, (_, m) => {
    const close = 100 * (1 + 0.0005 * Math.sin(m * 1.3) + 0.0002 * Math.cos(m * 0.7));
    const open = 100 * (1 + 0.0005 * Math.sin((m - 1) * 1.3) + 0.0002 * Math.cos((m - 1) * 0.7));
    return { open, close, high: Math.max(open, close) * 1.0003, low: Math.min(open, close) * 0.9997, volume: 10, tradeCount: 5 };
  });
}
function flagged(bars: BarView[]): number[] {
  const f = revertingSpikeFlags(bars);
  return Array.from(f.keys()).filter((m) => f[m] === QualityFlag.OUTLIER);
}

describe('OUTLIER flags on 1m spikes that revert', () => {
  it('flags a close that jumps 3 % and comes straight back, not a 3 % move that holds', () => {
    const spike = calmDay();
    spike[500] = { ...spike[500], close: 103, high: 103.1 };
    spike[501] = { ...spike[501], open: 103, high: 103 };
    expect(flagged(spike)).toEqual([500]);

    const step = calmDay();
    for (let m = 500; m < 1440; m++)
      step[m] = {
        ...step[m],
        open: step[m].open * (m === 500 ? 1 : 1.03),
        close: step[m].close * 1.03,
        high: step[m].high * 1.03,
        low: step[m].low * (m === 500 ? 1 : 1.03),
      };
    expect(flagged(step)).toEqual([]);
  });

  it('flags a lone wick far outside its neighbours, not a wick the next bar trades through', () => {
    const wick = calmDay();
    wick[800] = { ...wick[800], low: 95 };
    expect(flagged(wick)).toEqual([800]);
    const shared = calmDay();
    shared[800] = { ...shared[800], low: 95 };
    shared[801] = { ...shared[801], low: 96 };
    expect(flagged(shared)).toEqual([]);
  });

  it('does not judge a day too quiet to have a typical move, or gaps around a bar', () => {
    const flat = calmDay().map((b) => ({ ...b, open: 100, close: 100 }));
    flat[10] = { ...flat[10], close: 110 };
    expect(flagged(flat)).toEqual([]);
    const holes: (BarView | null)[] = calmDay();
    holes[500] = { ...holes[500]!, close: 103 };
    holes[501] = null;
    expect(Array.from(revertingSpikeFlags(holes)).filter(Boolean)).toEqual([]);
  });

  it('reaches Silver: the bar is flagged OUTLIER and counted in the stats', () => {
    const bronze = bronzeDay('2024-05-01', [], (m) => {
      const close = 100 * (1 + 0.0005 * Math.sin(m * 1.3));
      return m === 700
        ? { close: 104, open: close, high: 104, low: close }
        : { close, open: close, high: close * 1.0003, low: close * 0.9997 };
    });
    const { silver, stats } = cleanKlines1m(bronze, '2024-05-01', 0);
    expect(stats.flagged.OUTLIER).toBe(1);
    expect(silver.num('quality_flags')[700] & QualityFlag.OUTLIER).toBeTruthy();
  });

  it('on the real futures months: one lone 4 % wick in LINKUSDT, none in AVAX or FIL (outage placeholders are not spikes)', () => {
    const counts: Record<string, string[]> = {};
    for (const f of KLINE_FILES) {
      const b = readKlines(f);
      counts[f] = [];
      for (let d = 0; d * 1440 < b.close.length; d++) {
        const bars = Array.from({ length: 1440 }, (_, m) => {
          const i = d * 1440 + m;
          return { open: b.open[i], high: b.high[i], low: b.low[i], close: b.close[i], volume: b.volume[i], tradeCount: 1 };
        });
        revertingSpikeFlags(bars).forEach((x, m) => {
          if (x) counts[f].push(`day ${d + 1} ${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
        });
      }
    }
    expect(counts).toEqual({ 'LINKUSDT-1m-2023-02': ['day 24 22:36'], 'AVAXUSDT-1m-2023-09': [], 'FILUSDT-1m-2024-10': [] });
  });
});
