import { checkPeriod, commonLength, outputArray } from './common';

/**
 * TA-Lib TRANGE: max(high - low, |prevClose - high|, |prevClose - low|). It needs a previous close, so the first
 * output is at index 1 (index 0 is NaN).
 */
export function trueRange(high: Float64Array, low: Float64Array, close: Float64Array): Float64Array {
  const n = commonLength(high, low, close);
  const out = outputArray(n, 1);
  for (let i = 1; i < n; i++) out[i] = trueRangeAt(high, low, close, i);
  return out;
}

/** The true range of bar i >= 1, compared in TA-Lib's order. */
export function trueRangeAt(high: Float64Array, low: Float64Array, close: Float64Array, i: number): number {
  const h = high[i];
  const l = low[i];
  const prevClose = close[i - 1];
  let greatest = h - l;
  const toHigh = Math.abs(prevClose - h);
  if (toHigh > greatest) greatest = toHigh;
  const toLow = Math.abs(prevClose - l);
  if (toLow > greatest) greatest = toLow;
  return greatest;
}

/**
 * TA-Lib ATR: the first value, at index `period`, is the plain mean of the true ranges of bars 1..period; then
 * Wilder's smoothing atr = (atr * (period - 1) + tr) / period. Period 1 is the true range itself (TA-Lib does the same).
 */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, period = 14): Float64Array {
  checkPeriod('period', period, 1);
  const n = commonLength(high, low, close);
  if (period === 1) return trueRange(high, low, close);
  const out = outputArray(n, period);
  if (n <= period) return out;

  let sum = 0;
  for (let i = 1; i <= period; i++) sum += trueRangeAt(high, low, close, i);
  let prev = sum / period;
  out[period] = prev;
  for (let i = period + 1; i < n; i++) {
    prev *= period - 1;
    prev += trueRangeAt(high, low, close, i);
    prev /= period;
    out[i] = prev;
  }
  return out;
}
