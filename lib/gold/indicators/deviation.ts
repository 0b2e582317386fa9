import { checkFinite, checkPeriod, isZeroOrNeg, outputArray } from './common';
import { smaInto } from './moving-average';

export interface BollingerBands {
  readonly upper: Float64Array;
  readonly middle: Float64Array;
  readonly lower: Float64Array;
}

/**
 * TA-Lib STDDEV: population standard deviation times nbDev, from running sums (TA_INT_VAR):
 * variance = mean(x²) - mean(x)², set to 0 when below 1e-14. This single-pass formula cancels badly on large prices
 * with small moves (near 95,000 a flat window can get a deviation of ~0.006 instead of 0) and is kept on purpose,
 * to agree with TA-Lib. First output at period - 1.
 */
export function stddev(values: Float64Array, period: number, nbDev = 1): Float64Array {
  checkPeriod('period', period, 2);
  checkFinite('nbDev', nbDev);
  const n = values.length;
  const out = outputArray(n, period - 1);
  if (n < period) return out;

  let total = 0;
  let total2 = 0;
  for (let i = 0; i < period - 1; i++) {
    const x = values[i];
    total += x;
    total2 += x * x;
  }
  for (let i = period - 1, trailing = 0; i < n; i++, trailing++) {
    const x = values[i];
    total += x;
    total2 += x * x;
    const mean = total / period;
    const mean2 = total2 / period;
    const old = values[trailing];
    total -= old;
    total2 -= old * old;
    const variance = mean2 - mean * mean;
    out[i] = isZeroOrNeg(variance) ? 0 : Math.sqrt(variance) * nbDev;
  }
  return out;
}

/**
 * TA-Lib BBANDS with its default SMA: middle = SMA, deviation from TA_INT_stddev_using_precalc_ma, i.e.
 * variance = (running sum of x²) / period - middle², 0 when below 1e-14 (the same precision trade-off as
 * `stddev`); upper = middle + dev * nbDevUp, lower = middle - dev * nbDevDn. First output at period - 1.
 */
export function bbands(close: Float64Array, period = 20, nbDevUp = 2, nbDevDn = 2): BollingerBands {
  checkPeriod('period', period, 2);
  checkFinite('nbDevUp', nbDevUp);
  checkFinite('nbDevDn', nbDevDn);
  const n = close.length;
  const upper = outputArray(n, period - 1);
  const middle = outputArray(n, period - 1);
  const lower = outputArray(n, period - 1);
  if (n < period) return { upper, middle, lower };

  smaInto(close, period, middle);
  let total2 = 0;
  for (let i = 0; i < period - 1; i++) total2 += close[i] * close[i];
  for (let i = period - 1, trailing = 0; i < n; i++, trailing++) {
    total2 += close[i] * close[i];
    const mid = middle[i];
    // The mean of squares is taken before the leaving value is subtracted, as in TA-Lib.
    const variance = total2 / period - mid * mid;
    total2 -= close[trailing] * close[trailing];
    const dev = isZeroOrNeg(variance) ? 0 : Math.sqrt(variance);
    upper[i] = mid + dev * nbDevUp;
    lower[i] = mid - dev * nbDevDn;
  }
  return { upper, middle, lower };
}
