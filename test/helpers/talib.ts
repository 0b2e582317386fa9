/** The real TA-Lib (npm `talib`, test-only) as the reference. It needs plain Arrays: typed arrays give garbage. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const talib = require('talib') as { execute(args: Record<string, unknown>): { begIndex: number; nbElement: number; result: Record<string, number[]> } };

export function talibRun(name: string, inputs: Record<string, ArrayLike<number>>, options: Record<string, number> = {}): Record<string, Float64Array> {
  const n = Object.values(inputs)[0].length;
  const args: Record<string, unknown> = { name, startIdx: 0, endIdx: n - 1, ...options };
  for (const [k, v] of Object.entries(inputs)) args[k] = Array.from(v);
  const r = talib.execute(args);
  const out: Record<string, Float64Array> = {};
  for (const [k, values] of Object.entries(r.result)) {
    const full = new Float64Array(n).fill(NaN);
    for (let i = 0; i < r.nbElement; i++) full[r.begIndex + i] = values[i];
    out[k] = full;
  }
  return out;
}

/** TA-Lib's fixed core indicators of SPEC §6 for one series, keyed by our feature name stem. */
export function talibCore(high: Float64Array, low: Float64Array, close: Float64Array): Record<string, Float64Array> {
  const macd = talibRun('MACD', { inReal: close }, { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 });
  const bb = talibRun('BBANDS', { inReal: close }, { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 });
  return {
    rsi_14: talibRun('RSI', { inReal: close }, { optInTimePeriod: 14 }).outReal,
    macd: macd.outMACD, macd_signal: macd.outMACDSignal, macd_hist: macd.outMACDHist,
    bb_upper_20: bb.outRealUpperBand, bb_middle_20: bb.outRealMiddleBand, bb_lower_20: bb.outRealLowerBand,
    atr_14: talibRun('ATR', { high, low, close }, { optInTimePeriod: 14 }).outReal,
  };
}
