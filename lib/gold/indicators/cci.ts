import { checkPeriod, commonLength, outputArray } from './common';

/**
 * TA-Lib CCI: typical price tp = (high + low + close) / 3; cci = (tp - mean) / (0.015 * meanAbsDev), 0 when
 * either factor is 0. First output at period - 1.
 *
 * Mean and mean absolute deviation are recomputed over the window every bar (O(period)) and summed in the slot
 * order of TA-Lib's circular buffer, not in time order, because that order decides the last bits of the sums.
 */
export function cci(high: Float64Array, low: Float64Array, close: Float64Array, period = 20): Float64Array {
  checkPeriod('period', period, 2);
  const n = commonLength(high, low, close);
  const out = outputArray(n, period - 1);
  if (n < period) return out;

  // Bar i lives in slot i % period, which is where TA-Lib's buffer, started at bar 0, puts it.
  const window = new Float64Array(period);
  for (let i = 0; i < period - 1; i++) window[i] = (high[i] + low[i] + close[i]) / 3;
  for (let i = period - 1, slot = period - 1; i < n; i++) {
    const typical = (high[i] + low[i] + close[i]) / 3;
    window[slot] = typical;
    let mean = 0;
    for (let j = 0; j < period; j++) mean += window[j];
    mean /= period;
    let absDev = 0;
    for (let j = 0; j < period; j++) absDev += Math.abs(window[j] - mean);
    const distance = typical - mean;
    out[i] = distance !== 0 && absDev !== 0 ? distance / (0.015 * (absDev / period)) : 0;
    slot = slot === period - 1 ? 0 : slot + 1;
  }
  return out;
}
