/**
 * Shared plumbing for the TA-Lib-compatible indicators in this folder.
 *
 * Conventions of every indicator here:
 * - inputs are Float64Arrays of finite values (NaN or ±Infinity are not checked for; results are then unspecified);
 * - each output is a new Float64Array of the input's length, aligned by index, NaN where TA-Lib has no output
 *   yet (index < TA-Lib's lookback) and therefore all NaN when the input is shorter than the lookback + 1;
 * - the arithmetic repeats TA-Lib's C code operation by operation (TA-Lib 0.6.0-dev as bundled in the npm
 *   `talib` 1.1.6 package, default compatibility, unstable periods 0), so results agree bit for bit on
 *   IEEE-754 doubles without fused multiply-add;
 * - periods are integers in TA-Lib's accepted range (a RangeError otherwise).
 */

/** TA-Lib's largest accepted period (its generated range checks). */
const MAX_PERIOD = 100_000;

/**
 * TA_EPSILON of the bundled TA-Lib (ta_utility.h). Older TA-Lib releases (0.4.x) used 1e-8; this one uses 1e-14,
 * and the zero tests below must use the same constant to switch branches on the same bars.
 */
const TA_EPSILON = 1e-14;

/** TA_IS_ZERO: TA-Lib's "near zero" test that guards divisions in RSI, ADX and ±DI. */
export function isZero(v: number): boolean {
  return -TA_EPSILON < v && v < TA_EPSILON;
}

/** TA_IS_ZERO_OR_NEG: TA-Lib's guard before taking a square root of a variance. */
export function isZeroOrNeg(v: number): boolean {
  return v < TA_EPSILON;
}

/** Throws unless `period` is an integer in TA-Lib's range [min, 100000] for that parameter. */
export function checkPeriod(name: string, period: number, min: number): void {
  if (!Number.isInteger(period) || period < min || period > MAX_PERIOD) {
    throw new RangeError(`${name} must be an integer in [${min}, ${MAX_PERIOD}], got ${period}`);
  }
}

/** Throws unless `value` is a finite number (TA-Lib's real-valued options, e.g. Bollinger deviations). */
export function checkFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${value}`);
}

/** Throws unless all parallel input series have the same length; returns that length. */
export function commonLength(...series: Float64Array[]): number {
  const n = series[0].length;
  for (const s of series) {
    if (s.length !== n) throw new RangeError(`input series differ in length (${n} vs ${s.length})`);
  }
  return n;
}

/**
 * A new output of length n whose first `begin` entries (TA-Lib's lookback; clamped to n) are NaN; the caller
 * writes every index from `begin` on.
 */
export function outputArray(n: number, begin: number): Float64Array {
  return new Float64Array(n).fill(Number.NaN, 0, begin);
}
