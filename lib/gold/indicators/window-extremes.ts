/**
 * Rolling highest high / lowest low over `period` bars ending at each index i >= period - 1, found the way TA-Lib's
 * STOCH and WILLR find them: keep the extreme's index, take a new bar if it ties or beats it, and rescan the window
 * only when the extreme leaves it (amortised O(1) per bar on typical data).
 * Indices below period - 1 are left untouched.
 */
export function rollingHighestInto(high: Float64Array, period: number, out: Float64Array): void {
  let best = 0;
  let bestIdx = -1;
  for (let i = period - 1, trailing = 0; i < high.length; i++, trailing++) {
    if (bestIdx < trailing) {
      bestIdx = trailing;
      best = high[trailing]!;
      for (let j = trailing + 1; j <= i; j++) {
        if (high[j] > best) {
          bestIdx = j;
          best = high[j]!;
        }
      }
    } else if (high[i] >= best) {
      bestIdx = i;
      best = high[i]!;
    }
    out[i] = best;
  }
}

/** The lowest-low counterpart of `rollingHighestInto`. */
export function rollingLowestInto(low: Float64Array, period: number, out: Float64Array): void {
  let best = 0;
  let bestIdx = -1;
  for (let i = period - 1, trailing = 0; i < low.length; i++, trailing++) {
    if (bestIdx < trailing) {
      bestIdx = trailing;
      best = low[trailing]!;
      for (let j = trailing + 1; j <= i; j++) {
        if (low[j] < best) {
          bestIdx = j;
          best = low[j]!;
        }
      }
    } else if (low[i] <= best) {
      bestIdx = i;
      best = low[i]!;
    }
    out[i] = best;
  }
}
