/**
 * The npm `talib` package (TA-Lib C source built natively) as the reference for lib/gold/indicators.
 * Traps: it silently returns garbage for typed arrays, so inputs are converted to plain Arrays; and it aborts
 * the process on an empty input, so it is never called with one.
 */

import * as talib from 'talib';

export type Inputs = Readonly<Record<string, Float64Array>>;

/**
 * Runs TA-Lib function `name` over the whole series and returns each requested output aligned to the input
 * (NaN before TA-Lib's begIndex, or everywhere when it produced nothing).
 */
export function talibAligned(
  name: string,
  inputs: Inputs,
  options: Readonly<Record<string, number>>,
  outputs: readonly string[],
): Float64Array[] {
  const n = Object.values(inputs)[0].length;
  if (n === 0) throw new Error('talib aborts the process on empty input');
  const params: Record<string, unknown> = { name, startIdx: 0, endIdx: n - 1, ...options };
  for (const [key, values] of Object.entries(inputs)) params[key] = Array.from(values);
  const r = talib.execute(params);
  return outputs.map((key) => {
    const raw = r.result[key];
    if (!raw) throw new Error(`talib ${name} returned no ${key}`);
    if (r.nbElement > 0 && r.begIndex + r.nbElement !== n) throw new Error(`talib ${name} did not output through the last bar`);
    const aligned = new Float64Array(n).fill(Number.NaN);
    for (let j = 0; j < r.nbElement; j++) aligned[r.begIndex + j] = raw[j]!;
    return aligned;
  });
}

/**
 * Largest |ours - ref| / Math.max(1, |ref|) over the indices where ref is defined; throws if the NaN patterns differ
 * (the first mismatching index is named) or a length differs.
 */
export function maxRelativeDifference(ours: Float64Array, ref: Float64Array): number {
  if (ours.length !== ref.length) throw new Error(`length ${ours.length}, TA-Lib ${ref.length}`);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i];
    const o = ours[i];
    if (Number.isNaN(r) !== Number.isNaN(o)) throw new Error(`index ${i}: ours ${o}, TA-Lib ${r}`);
    if (Number.isNaN(r)) continue;
    const rel = Math.abs(o - r) / Math.max(1, Math.abs(r));
    if (rel > worst) worst = rel;
  }
  return worst;
}
