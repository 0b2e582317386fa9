import type { BarSeries } from '../bar-series';
import { spec, type FeatureSpec, type FeatureTimeframe } from '../feature-spec';
import { distanceBps, map, windowMax, windowMin } from '../windows';
import type { BarFeatureGroup } from './types';

/** Category 5, market structure, per timeframe. */

const SWING_BARS = 20;
const ZONE_BARS = 50;
/** A bar "touches" the current price zone when its range comes within this fraction of the close. */
const ZONE_HALF_WIDTH = 0.001;
/** Doji: body at most this fraction of the bar's range. */
const DOJI_BODY = 0.1;

function specs(tf: FeatureTimeframe): FeatureSpec[] {
  const s = (name: string, definition: string, warmupBars: number, range: { min?: number; max?: number } = {}) =>
    spec({ name: `${name}_${tf}`, category: 'market_structure', timeframe: tf, definition, warmupBars, ...range });
  return [
    s(
      `swing_high_dist_${SWING_BARS}`,
      `close vs the highest high of the last ${SWING_BARS} bars, basis points (<= 0)`,
      SWING_BARS - 1,
      { max: 0 },
    ),
    s(
      `swing_low_dist_${SWING_BARS}`,
      `close vs the lowest low of the last ${SWING_BARS} bars, basis points (>= 0)`,
      SWING_BARS - 1,
      { min: 0 },
    ),
    s('engulfing', '+1 bullish engulfing (a down bar then an up bar whose body covers it), -1 bearish engulfing, else 0', 1, {
      min: -1,
      max: 1,
    }),
    s('doji', `1 when the body |close - open| is at most ${DOJI_BODY * 100} % of a non-zero range high - low, else 0`, 0, {
      min: 0,
      max: 1,
    }),
    s(
      `zone_touches_${ZONE_BARS}`,
      `how many of the ${ZONE_BARS} bars before this one traded within ±${ZONE_HALF_WIDTH * 100} % of this close ` +
        `(support/resistance strength)`,
      ZONE_BARS,
      { min: 0, max: ZONE_BARS },
    ),
  ];
}

function engulfing(series: BarSeries, i: number): number {
  if (i === 0) return NaN;
  const [po, pc, o, c] = [series.open[i - 1], series.close[i - 1], series.open[i], series.close[i]];
  if (pc < po && c > o && o <= pc && c >= po && c - o > po - pc) return 1;
  if (pc > po && c < o && o >= pc && c <= po && o - c > pc - po) return -1;
  return 0;
}

function compute(series: BarSeries, tf: FeatureTimeframe): Record<string, Float64Array> {
  const n = series.length;
  return {
    [`swing_high_dist_${SWING_BARS}_${tf}`]: distanceBps(series.close, windowMax(series.high, SWING_BARS)),
    [`swing_low_dist_${SWING_BARS}_${tf}`]: distanceBps(series.close, windowMin(series.low, SWING_BARS)),
    [`engulfing_${tf}`]: map(n, (i) => engulfing(series, i)),
    [`doji_${tf}`]: map(n, (i) => {
      const range = series.high[i] - series.low[i];
      return range > 0 && Math.abs(series.close[i] - series.open[i]) <= DOJI_BODY * range ? 1 : 0;
    }),
    [`zone_touches_${ZONE_BARS}_${tf}`]: map(n, (i) => {
      if (i < ZONE_BARS) return NaN;
      const lo = series.close[i] * (1 - ZONE_HALF_WIDTH);
      const hi = series.close[i] * (1 + ZONE_HALF_WIDTH);
      let c = 0;
      for (let j = i - ZONE_BARS; j < i; j++) if (series.low[j] <= hi && series.high[j] >= lo) c++;
      return c;
    }),
  };
}

export const marketStructure: BarFeatureGroup = { specs, compute };
