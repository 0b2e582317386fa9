/**
 * Technical indicators for the Gold feature table, reproducing TA-Lib's C arithmetic (see ./common.ts for the
 * conventions shared by every function: Float64Array inputs of finite values, same-length outputs, NaN warm-up).
 */
export { sma, ema } from './moving-average';
export { rsi } from './rsi';
export { macd, type MacdResult } from './macd';
export { roc } from './roc';
export { stddev, bbands, type BollingerBands } from './deviation';
export { trueRange, atr } from './true-range';
export { adx, plusDi, minusDi } from './directional';
export { stoch, willr, type StochResult } from './range-oscillators';
export { cci } from './cci';
export { obv, mfi } from './volume';
