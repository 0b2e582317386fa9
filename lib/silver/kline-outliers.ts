import { QualityFlag } from '../schema/quality-flags';
import type { BarView } from './outages';

/**
 * OUTLIER flags for 1m bars that spike and revert (docs/silver.md#rules-per-dataset, "Kline outliers"): a print far
 * outside the day's normal minute-to-minute movement that the market takes back at once is a bad tick or a flash wick,
 * not a price level, and features should not learn from it. A move that holds (a real repricing) is never flagged.
 *
 * - Close spike: with bars m-1, m, m+1 all present, the return into m is at least `max(MIN_MOVE, K x typical)`
 *   and the return out of m goes the other way by at least REVERT of it.
 * - Wick spike: the bar's high (low) extends at least `max(MIN_WICK, K x typical)` beyond its body, and neither
 *   neighbour trades within half of that wick: a lone excursion.
 * `typical` is the median absolute 1m close-to-close log return of the day (zero returns excluded); with fewer
 * than MIN_RETURNS of those the day is too quiet to judge and nothing is flagged.
 */

export const OUTLIER_K = 25;
export const OUTLIER_MIN_MOVE = 0.01;
export const OUTLIER_MIN_WICK = 0.02;
export const OUTLIER_REVERT = 0.75;
const MIN_RETURNS = 30;

function median(values: number[]): number {
  const s = values.sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function revertingSpikeFlags(bars: readonly (BarView | null)[]): Uint32Array {
  const flags = new Uint32Array(bars.length);
  const returns: number[] = [];
  for (let m = 1; m < bars.length; m++) {
    const bar = bars[m - 1];
    const b = bars[m];
    if (bar && b && bar.close > 0 && b.close > 0 && bar.close !== b.close) returns.push(Math.abs(Math.log(b.close / bar.close)));
  }
  if (returns.length < MIN_RETURNS) return flags;
  const typical = median(returns);
  const move = Math.max(OUTLIER_MIN_MOVE, OUTLIER_K * typical);
  const wick = Math.max(OUTLIER_MIN_WICK, OUTLIER_K * typical);

  for (let m = 1; m + 1 < bars.length; m++) {
    const [p, b, n] = [bars[m - 1], bars[m], bars[m + 1]];
    if (!p || !b || !n || !(p.close > 0 && b.close > 0 && n.close > 0 && b.low > 0)) continue;
    const into = Math.log(b.close / p.close);
    const out = Math.log(n.close / b.close);
    if (Math.abs(into) >= move && Math.sign(out) === -Math.sign(into) && Math.abs(out) >= OUTLIER_REVERT * Math.abs(into)) {
      flags[m] = QualityFlag.OUTLIER;
      continue;
    }
    const top = Math.max(b.open, b.close);
    const bottom = Math.min(b.open, b.close);
    // A bar whose high/low do not contain its body is INVALID_OHLC already; its "wick" means nothing.
    if (b.high < top || b.low > bottom) continue;
    const up = Math.log(b.high / top);
    if (up >= wick) {
      const half = top * Math.exp(up / 2);
      if (p.high < half && n.high < half) {
        flags[m] = QualityFlag.OUTLIER;
        continue;
      }
    }
    const down = Math.log(bottom / b.low);
    if (down >= wick) {
      const half = bottom * Math.exp(-down / 2);
      if (p.low > half && n.low > half) flags[m] = QualityFlag.OUTLIER;
    }
  }
  return flags;
}
