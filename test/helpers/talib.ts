import { talibAligned } from '../gold/helpers/talib-reference';

/** TA-Lib's fixed core indicators (docs/features.md) for one series, keyed by our feature-name stem. */
export function talibCore(high: Float64Array, low: Float64Array, close: Float64Array): Record<string, Float64Array> {
  const [macd, signal, hist] = talibAligned(
    'MACD',
    { inReal: close },
    { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 },
    ['outMACD', 'outMACDSignal', 'outMACDHist'],
  );
  const [upper, middle, lower] = talibAligned(
    'BBANDS',
    { inReal: close },
    { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 },
    ['outRealUpperBand', 'outRealMiddleBand', 'outRealLowerBand'],
  );
  const [rsi] = talibAligned('RSI', { inReal: close }, { optInTimePeriod: 14 }, ['outReal']);
  const [atr] = talibAligned('ATR', { high, low, close }, { optInTimePeriod: 14 }, ['outReal']);
  return {
    rsi_14: rsi,
    macd,
    macd_signal: signal,
    macd_hist: hist,
    bb_upper_20: upper,
    bb_middle_20: middle,
    bb_lower_20: lower,
    atr_14: atr,
  };
}
