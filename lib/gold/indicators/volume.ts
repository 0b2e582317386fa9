import { checkPeriod, commonLength, outputArray } from './common';

/**
 * TA-Lib OBV: starts at the first bar's volume (not 0), then adds the volume of an up close and subtracts that of
 * a down close; unchanged closes carry the total. Defined from index 0.
 */
export function obv(close: Float64Array, volume: Float64Array): Float64Array {
  const n = commonLength(close, volume);
  const out = new Float64Array(n);
  if (n === 0) return out;
  let total = volume[0];
  out[0] = total;
  for (let i = 1; i < n; i++) {
    if (close[i] > close[i - 1]) total += volume[i];
    else if (close[i] < close[i - 1]) total -= volume[i];
    out[i] = total;
  }
  return out;
}

/**
 * TA-Lib MFI: money flow = typical price (h + l + c) / 3 times volume, positive when the typical price rose and
 * negative when it fell (neither when unchanged); MFI = 100 * positive / (positive + negative) over the last
 * `period` bars, with TA-Lib's rule that a total flow below 1.0 gives 0. The window sums are running sums
 * (subtract the leaving bar's flows, then add the new bar's) as in TA-Lib. First output at index `period`.
 */
export function mfi(high: Float64Array, low: Float64Array, close: Float64Array, volume: Float64Array, period = 14): Float64Array {
  checkPeriod('period', period, 2);
  const n = commonLength(high, low, close, volume);
  const out = outputArray(n, period);
  if (n <= period) return out;

  // Ring of the last `period` flows; slot of bar i is (i - 1) % period, as in TA-Lib's buffer started at bar 1.
  const positive = new Float64Array(period);
  const negative = new Float64Array(period);
  let positiveSum = 0;
  let negativeSum = 0;
  let prevTypical = (high[0] + low[0] + close[0]) / 3;
  for (let i = 1, slot = 0; i < n; i++) {
    if (i > period) {
      positiveSum -= positive[slot];
      negativeSum -= negative[slot];
    }
    const typical = (high[i] + low[i] + close[i]) / 3;
    const flow = typical * volume[i];
    positive[slot] = 0;
    negative[slot] = 0;
    if (typical < prevTypical) {
      negative[slot] = flow;
      negativeSum += flow;
    } else if (typical > prevTypical) {
      positive[slot] = flow;
      positiveSum += flow;
    }
    prevTypical = typical;
    if (i >= period) {
      const total = positiveSum + negativeSum;
      out[i] = total < 1 ? 0 : 100 * (positiveSum / total);
    }
    slot = slot === period - 1 ? 0 : slot + 1;
  }
  return out;
}
