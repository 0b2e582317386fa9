import { checkPeriod, outputArray } from './common';

/** TA-Lib ROC: ((x / x[-period]) - 1) * 100, 0 when x[-period] is 0. First output at index `period`. */
export function roc(values: Float64Array, period: number): Float64Array {
  checkPeriod('period', period, 1);
  const n = values.length;
  const out = outputArray(n, period);
  for (let i = period; i < n; i++) {
    const prev = values[i - period];
    out[i] = prev !== 0 ? (values[i] / prev - 1) * 100 : 0;
  }
  return out;
}
