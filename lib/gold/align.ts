/**
 * Multi-timeframe alignment without look-ahead (docs/features.md#time-alignment): a row at `ts` may use a bar only once
 * the bar has closed, i.e. when its open time + interval ≤ ts.
 */

/** For each (increasing) ts, the index of the latest bar with open + interval ≤ ts, or -1. Bars sorted by open. */
export function latestClosedIndex(barOpen: Float64Array, intervalMs: number, ts: Float64Array): Int32Array {
  const out = new Int32Array(ts.length);
  let j = -1;
  for (let i = 0; i < ts.length; i++) {
    while (j + 1 < barOpen.length && barOpen[j + 1] + intervalMs <= ts[i]) j++;
    out[i] = j;
  }
  return out;
}
