import { checkPeriod, commonLength, outputArray } from './common';
import { smaInto } from './moving-average';
import { rollingHighestInto, rollingLowestInto } from './window-extremes';

export interface StochResult {
  readonly k: Float64Array;
  readonly d: Float64Array;
}

/**
 * TA-Lib STOCH with SMA slowing (its default MA types). Raw %K from bar fastK - 1 is
 * (close - lowest) / ((highest - lowest) / 100), 0 when the range is 0; %K = SMA(raw %K, slowK), %D = SMA(%K, slowD).
 * TA-Lib withholds %K until %D exists, so both start at (fastK - 1) + (slowK - 1) + (slowD - 1), 17 for 14/3/3.
 */
export function stoch(high: Float64Array, low: Float64Array, close: Float64Array, fastK = 14, slowK = 3, slowD = 3): StochResult {
  checkPeriod('fastK', fastK, 1);
  checkPeriod('slowK', slowK, 1);
  checkPeriod('slowD', slowD, 1);
  const n = commonLength(high, low, close);
  const rawStart = fastK - 1;
  const kStart = rawStart + slowK - 1;
  const begin = kStart + slowD - 1;
  const k = outputArray(n, begin);
  const d = outputArray(n, begin);
  if (n <= begin) return { k, d };

  const highest = new Float64Array(n);
  const lowest = new Float64Array(n);
  rollingHighestInto(high, fastK, highest);
  rollingLowestInto(low, fastK, lowest);
  const raw = new Float64Array(n);
  for (let i = rawStart; i < n; i++) {
    // TA-Lib divides by (range / 100) rather than multiplying by 100 / range; the last bit can differ.
    const diff = (highest[i] - lowest[i]) / 100;
    raw[i] = diff !== 0 ? (close[i] - lowest[i]) / diff : 0;
  }
  smaInto(raw.subarray(rawStart), slowK, k.subarray(rawStart));
  smaInto(k.subarray(kStart), slowD, d.subarray(kStart));
  k.fill(Number.NaN, kStart, begin);
  return { k, d };
}

/**
 * TA-Lib WILLR: (highest - close) / ((highest - lowest) / -100), in [-100, 0], 0 when the range is 0.
 * First output at period - 1.
 */
export function willr(high: Float64Array, low: Float64Array, close: Float64Array, period = 14): Float64Array {
  checkPeriod('period', period, 2);
  const n = commonLength(high, low, close);
  const out = outputArray(n, period - 1);
  if (n < period) return out;

  const highest = new Float64Array(n);
  const lowest = new Float64Array(n);
  rollingHighestInto(high, period, highest);
  rollingLowestInto(low, period, lowest);
  for (let i = period - 1; i < n; i++) {
    const diff = (highest[i] - lowest[i]) / -100;
    out[i] = diff !== 0 ? (highest[i] - close[i]) / diff : 0;
  }
  return out;
}
