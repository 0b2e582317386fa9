import type { BarSeries } from '../bar-series';
import type { FeatureSpec, FeatureTimeframe } from '../feature-spec';

/**
 * Features computed on one timeframe's closed bars; each row then takes the value of the latest bar closed at or
 * before its ts. `compute` returns one bar-aligned array per name in `specs(tf)` (a test holds them equal).
 */
export interface BarFeatureGroup {
  readonly specs: (tf: FeatureTimeframe) => FeatureSpec[];
  readonly compute: (series: BarSeries, tf: FeatureTimeframe) => Record<string, Float64Array>;
}
