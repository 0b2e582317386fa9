import type { BarSeries } from '../bar-series';
import { spec, type FeatureSpec, type FeatureTimeframe } from '../feature-spec';
import { distanceBps, map, windowMean, windowSum } from '../windows';
import type { BarFeatureGroup } from './types';

/**
 * Category 2, volume. VWAP uses the bars' quote volume where the exchange reports it and the typical price
 * (H+L+C)/3 otherwise, so archive sources without quote volume still get a VWAP. OBV is taken over a 20-bar
 * window rather than from the beginning of history: a cumulative OBV's level depends on where the data starts,
 * which would make a day's value differ between a daily build and a backfill.
 */

const v = 'volume' as const;

function specs(tf: FeatureTimeframe): FeatureSpec[] {
  const s = (
    name: string,
    definition: string,
    warmupBars: number,
    extra: { min?: number; max?: number; required?: boolean } = {},
  ) => spec({ name: `${name}_${tf}`, category: v, timeframe: tf, definition, warmupBars, ...extra });
  return [
    s(
      'vwap_20',
      'VWAP of the last 20 bars: sum(quote volume) / sum(base volume); quote volume is typical price x volume where missing; ' +
        'null when the 20 bars traded nothing',
      19,
      { min: 0, required: false },
    ),
    s('vwap_dist_20', 'close vs vwap_20 in basis points: (close / vwap - 1) x 10,000', 19, { required: false }),
    s('volume_sma_20', 'SMA(20) of base volume', 19, { min: 0 }),
    s('volume_spike_20', 'volume / mean volume of the 20 bars before it; null when those traded nothing', 20, {
      min: 0,
      required: false,
    }),
    s(
      'taker_buy_ratio',
      'taker-buy base volume / base volume of the bar; 0.5 when the bar traded nothing; null where the source has no taker volume',
      0,
      { min: 0, max: 1, required: false },
    ),
    s(
      'obv_20',
      'on-balance volume over the last 20 bars: sum of volume signed by the direction of each close vs the close before',
      20,
    ),
  ];
}

function compute(series: BarSeries, tf: FeatureTimeframe): Record<string, Float64Array> {
  const n = series.length;
  const quote = map(n, (i) =>
    Number.isNaN(series.quoteVolume[i])
      ? ((series.high[i] + series.low[i] + series.close[i]) / 3) * series.volume[i]
      : series.quoteVolume[i],
  );
  const qSum = windowSum(quote, 20);
  const vSum = windowSum(series.volume, 20);
  const vwap = map(n, (i) => (vSum[i] > 0 ? qSum[i] / vSum[i] : NaN));
  const volMean = windowMean(series.volume, 20);
  const signed = map(n, (i) => (i === 0 ? NaN : Math.sign(series.close[i] - series.close[i - 1]) * series.volume[i]));
  return {
    [`vwap_20_${tf}`]: vwap,
    [`vwap_dist_20_${tf}`]: distanceBps(series.close, vwap),
    [`volume_sma_20_${tf}`]: volMean,
    [`volume_spike_20_${tf}`]: map(n, (i) => (i > 0 && volMean[i - 1] > 0 ? series.volume[i] / volMean[i - 1] : NaN)),
    [`taker_buy_ratio_${tf}`]: map(n, (i) =>
      series.volume[i] > 0 ? series.takerBuyVolume[i] / series.volume[i] : Number.isNaN(series.takerBuyVolume[i]) ? NaN : 0.5,
    ),
    [`obv_20_${tf}`]: windowSum(signed, 20),
  };
}

export const volume: BarFeatureGroup = { specs, compute };
