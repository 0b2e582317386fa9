import { checkPeriod, isZero, outputArray } from './common';

/**
 * TA-Lib RSI (Wilder). The first average gain/loss is the mean of the first `period` changes; after that
 * avg = (avg * (period - 1) + change) / period. RSI = 100 * gain / (gain + loss), or 0 when gain + loss is
 * TA_IS_ZERO (|x| < 1e-14), e.g. on a flat stretch of closes. First output at index `period`.
 */
export function rsi(close: Float64Array, period = 14): Float64Array {
  checkPeriod('period', period, 2);
  const n = close.length;
  const out = outputArray(n, period);
  if (n <= period) return out;

  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const change = close[i] - close[i - 1];
    if (change < 0) loss -= change;
    else gain += change;
  }
  loss /= period;
  gain /= period;
  out[period] = ratio(gain, loss);

  // TA-Lib scales by the integer (period - 1) and divides after adding, in this order, for both averages.
  const keep = period - 1;
  for (let i = period + 1; i < n; i++) {
    const change = close[i] - close[i - 1];
    loss *= keep;
    gain *= keep;
    if (change < 0) loss -= change;
    else gain += change;
    loss /= period;
    gain /= period;
    out[i] = ratio(gain, loss);
  }
  return out;
}

function ratio(gain: number, loss: number): number {
  const total = gain + loss;
  return isZero(total) ? 0 : 100 * (gain / total);
}
