import type { BarSeries } from '../bar-series';
import { spec, type FeatureSpec, type FeatureTimeframe } from '../feature-spec';
import { map } from '../windows';
import type { BarFeatureGroup } from './types';

/** Category 4, momentum, per timeframe (the cross-timeframe trend alignment is a row feature, see ../row-features.ts). */

const ROC_PERIODS = [1, 3, 5, 10] as const;
const SWING_COUNT_BARS = 10;

function specs(tf: FeatureTimeframe): FeatureSpec[] {
  return [
    ...ROC_PERIODS.map((p) =>
      spec({
        name: `roc_${p}_${tf}`,
        category: 'momentum',
        timeframe: tf,
        warmupBars: p,
        definition:
          `rate of change over ${p} bar${p > 1 ? 's' : ''}: 100 x (close / close ${p} bar${p > 1 ? 's' : ''} ` +
          `earlier - 1) (TA-Lib ROC)`,
      }),
    ),
    spec({
      name: `higher_highs_${SWING_COUNT_BARS}_${tf}`,
      category: 'momentum',
      timeframe: tf,
      warmupBars: SWING_COUNT_BARS,
      min: 0,
      max: SWING_COUNT_BARS,
      definition: `how many of the last ${SWING_COUNT_BARS} bars made a high above the bar before`,
    }),
    spec({
      name: `lower_lows_${SWING_COUNT_BARS}_${tf}`,
      category: 'momentum',
      timeframe: tf,
      warmupBars: SWING_COUNT_BARS,
      min: 0,
      max: SWING_COUNT_BARS,
      definition: `how many of the last ${SWING_COUNT_BARS} bars made a low below the bar before`,
    }),
  ];
}

function countOver(n: number, hit: (i: number) => boolean): Float64Array {
  return map(n, (i) => {
    if (i < SWING_COUNT_BARS) return NaN;
    let c = 0;
    for (let j = i - SWING_COUNT_BARS + 1; j <= i; j++) if (hit(j)) c++;
    return c;
  });
}

function compute(series: BarSeries, tf: FeatureTimeframe): Record<string, Float64Array> {
  const n = series.length;
  const out: Record<string, Float64Array> = {};
  for (const p of ROC_PERIODS)
    out[`roc_${p}_${tf}`] = map(n, (i) =>
      i >= p && series.close[i - p] !== 0 ? (series.close[i] / series.close[i - p] - 1) * 100 : NaN,
    );
  out[`higher_highs_${SWING_COUNT_BARS}_${tf}`] = countOver(n, (j) => series.high[j] > series.high[j - 1]);
  out[`lower_lows_${SWING_COUNT_BARS}_${tf}`] = countOver(n, (j) => series.low[j] < series.low[j - 1]);
  return out;
}

export const momentum: BarFeatureGroup = { specs, compute };
