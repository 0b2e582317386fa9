import { checkPeriod, commonLength, isZero, outputArray } from './common';
import { trueRangeAt } from './true-range';

interface DirectionalIndicators {
  readonly plus: Float64Array;
  readonly minus: Float64Array;
}

/** TA-Lib PLUS_DI: 100 * smoothed +DM / smoothed TR. First output at index `period`. */
export function plusDi(high: Float64Array, low: Float64Array, close: Float64Array, period = 14): Float64Array {
  return directionalIndicators(high, low, close, period).plus;
}

/** TA-Lib MINUS_DI: 100 * smoothed -DM / smoothed TR. First output at index `period`. */
export function minusDi(high: Float64Array, low: Float64Array, close: Float64Array, period = 14): Float64Array {
  return directionalIndicators(high, low, close, period).minus;
}

/**
 * TA-Lib ADX. DX = 100 * |-DI - +DI| / (-DI + +DI); the first ADX, at index 2 * period - 1, is the sum of the DX
 * of bars period..2*period-1 divided by period, then adx = (adx * (period - 1) + dx) / period. Where TA-Lib
 * cannot form DX (smoothed TR or -DI + +DI is TA_IS_ZERO, e.g. a run of flat bars) that bar's DX is skipped:
 * left out of the first sum (which is still divided by `period`) and afterwards the previous ADX is repeated.
 */
export function adx(high: Float64Array, low: Float64Array, close: Float64Array, period = 14): Float64Array {
  const { plus, minus } = directionalIndicators(high, low, close, period);
  const n = plus.length;
  const begin = 2 * period - 1;
  const out = outputArray(n, begin);
  if (n <= begin) return out;

  // A zero smoothed TR makes both DIs 0 here, so the DI-sum test alone reproduces both of TA-Lib's skips.
  let sumDx = 0;
  for (let i = period; i <= begin; i++) {
    const total = minus[i] + plus[i];
    if (!isZero(total)) sumDx += 100 * (Math.abs(minus[i] - plus[i]) / total);
  }
  let prev = sumDx / period;
  out[begin] = prev;
  for (let i = begin + 1; i < n; i++) {
    const total = minus[i] + plus[i];
    if (!isZero(total)) prev = (prev * (period - 1) + 100 * (Math.abs(minus[i] - plus[i]) / total)) / period;
    out[i] = prev;
  }
  return out;
}

/**
 * +DI and -DI in one pass, as TA-Lib's ADX, PLUS_DI and MINUS_DI compute them:
 * - +DM = high - prevHigh, -DM = prevLow - low; a bar counts toward -DM if -DM > 0 and -DM > +DM, toward +DM
 *   if +DM > 0 and +DM > -DM, so equal moves count as neither;
 * - bars 1..period-1 are summed (period - 1 bars, not period), then from bar `period` on
 *   s = s - s / period + x (Wilder) for +DM, -DM and the true range;
 * - DI = 100 * DM / TR, or 0 when the smoothed TR is TA_IS_ZERO.
 */
function directionalIndicators(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
): DirectionalIndicators {
  // TA-Lib accepts period 1 for ±DI but then returns an unscaled single-bar ratio; only Wilder periods are offered.
  checkPeriod('period', period, 2);
  const n = commonLength(high, low, close);
  const plus = outputArray(n, period);
  const minus = outputArray(n, period);
  if (n <= period) return { plus, minus };

  let plusDm = 0;
  let minusDm = 0;
  let tr = 0;
  for (let i = 1; i < period; i++) {
    const up = high[i] - high[i - 1];
    const down = low[i - 1] - low[i];
    if (down > 0 && up < down) minusDm += down;
    else if (up > 0 && up > down) plusDm += up;
    tr += trueRangeAt(high, low, close, i);
  }
  for (let i = period; i < n; i++) {
    const up = high[i] - high[i - 1];
    const down = low[i - 1] - low[i];
    minusDm -= minusDm / period;
    plusDm -= plusDm / period;
    if (down > 0 && up < down) minusDm += down;
    else if (up > 0 && up > down) plusDm += up;
    tr = tr - tr / period + trueRangeAt(high, low, close, i);
    if (isZero(tr)) {
      plus[i] = 0;
      minus[i] = 0;
    } else {
      plus[i] = 100 * (plusDm / tr);
      minus[i] = 100 * (minusDm / tr);
    }
  }
  return { plus, minus };
}
