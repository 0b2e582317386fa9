import { rollingHighestInto, rollingLowestInto } from './indicators/window-extremes';

/**
 * Rolling-window statistics recomputed from scratch at every index. Running sums would be faster but carry
 * rounding from wherever the series starts, so a day built from its warm-up window would differ in the last bits
 * from the same day inside a one-pass year; summing each window afresh makes a value depend only on the bars in
 * its window, which is what makes Gold partition-independent (docs/features.md#time-alignment). Outputs are NaN until
 * the window is full; sums and means are also NaN wherever an input in the window is NaN (extremes expect finite bar
 * values).
 */

function full(n: number): Float64Array {
  return new Float64Array(n).fill(NaN);
}

export function windowSum(x: Float64Array, period: number): Float64Array {
  const out = full(x.length);
  for (let i = period - 1; i < x.length; i++) {
    let s = 0;
    for (let j = i - period + 1; j <= i; j++) s += x[j];
    out[i] = s;
  }
  return out;
}

export function windowMean(x: Float64Array, period: number): Float64Array {
  const out = windowSum(x, period);
  for (let i = 0; i < out.length; i++) out[i] /= period;
  return out;
}

/** Population standard deviation (TA-Lib STDDEV / BBANDS), two-pass for accuracy on large prices. */
export function windowStd(x: Float64Array, period: number, mean: Float64Array): Float64Array {
  const out = full(x.length);
  for (let i = period - 1; i < x.length; i++) {
    const m = mean[i];
    let s = 0;
    for (let j = i - period + 1; j <= i; j++) {
      const d = x[j] - m;
      s += d * d;
    }
    out[i] = Math.sqrt(s / period);
  }
  return out;
}

/** Highest value of each window: the rolling extreme TA-Lib's STOCH uses (a maximum is exact, so start-independent). */
export function windowMax(x: Float64Array, period: number): Float64Array {
  const out = full(x.length);
  rollingHighestInto(x, period, out);
  return out;
}

export function windowMin(x: Float64Array, period: number): Float64Array {
  const out = full(x.length);
  rollingLowestInto(x, period, out);
  return out;
}

/** a / b elementwise, NaN where b is 0 or either side is NaN. */
export function ratio(a: Float64Array, b: Float64Array): Float64Array {
  const out = full(a.length);
  for (let i = 0; i < a.length; i++) if (b[i] !== 0) out[i] = a[i] / b[i];
  return out;
}

/** (a / b - 1) in basis points. */
export function distanceBps(a: Float64Array, b: Float64Array): Float64Array {
  const out = full(a.length);
  for (let i = 0; i < a.length; i++) if (b[i] > 0) out[i] = (a[i] / b[i] - 1) * 10_000;
  return out;
}

export function map(n: number, f: (i: number) => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
}
