import { checkPeriod, outputArray } from './common';

/** TA-Lib SMA: running sum; the value leaving the window is subtracted after the mean is taken. First output at period - 1. */
export function sma(values: Float64Array, period: number): Float64Array {
  checkPeriod('period', period, 2);
  const out = outputArray(values.length, period - 1);
  smaInto(values, period, out);
  return out;
}

/**
 * Writes TA-Lib's SMA of `values` into out[period - 1 ..] (TA_INT_SMA's exact running-sum order; BBANDS uses
 * it for its middle band, STOCH for its slowing). Writes nothing when values.length < period.
 */
export function smaInto(values: Float64Array, period: number, out: Float64Array): void {
  const n = values.length;
  if (n < period) return;
  let total = 0;
  for (let i = 0; i < period - 1; i++) total += values[i];
  for (let i = period - 1, trailing = 0; i < n; i++, trailing++) {
    total += values[i];
    const windowTotal = total;
    total -= values[trailing];
    out[i] = windowTotal / period;
  }
}

/** TA-Lib EMA: k = 2 / (period + 1), seeded by the SMA of the first `period` values. First output at period - 1. */
export function ema(values: Float64Array, period: number): Float64Array {
  checkPeriod('period', period, 2);
  const out = outputArray(values.length, period - 1);
  emaInto(values, period, period - 1, out);
  return out;
}

/**
 * Writes TA_INT_EMA into out[first ..]: the seed at `first` is the plain mean of values[first - period + 1 .. first]
 * (summed left to right, then divided), then prev = ((x - prev) * k) + prev. MACD calls it with first > period - 1
 * to start a fast EMA on the same bar as the slow one. Writes nothing when values.length <= first.
 */
export function emaInto(values: Float64Array, period: number, first: number, out: Float64Array): void {
  const n = values.length;
  if (n <= first) return;
  const k = 2 / (period + 1);
  let sum = 0;
  for (let i = first - period + 1; i <= first; i++) sum += values[i];
  let prev = sum / period;
  out[first] = prev;
  for (let i = first + 1; i < n; i++) {
    prev = (values[i] - prev) * k + prev;
    out[i] = prev;
  }
}
