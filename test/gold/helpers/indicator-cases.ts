import * as ind from '../../../lib/gold/indicators';
import type { Bars } from './bars';
import type { Inputs } from './talib-reference';

/** One indicator call checked against one TA-Lib call; outputs are paired by position. */
export interface IndicatorCase {
  readonly label: string;
  readonly ours: (b: Bars) => Float64Array[];
  readonly talib: {
    readonly name: string;
    readonly inputs: (b: Bars) => Inputs;
    readonly options: Readonly<Record<string, number>>;
    readonly outputs: readonly string[];
  };
  /** Index of TA-Lib's first output (its lookback), for the short-input checks. */
  readonly lookback: number;
}

const real = (b: Bars): Inputs => ({ inReal: b.close });
const hlc = (b: Bars): Inputs => ({ high: b.high, low: b.low, close: b.close });
const hlcv = (b: Bars): Inputs => ({ high: b.high, low: b.low, close: b.close, volume: b.volume });
const period = (p: number) => ({ optInTimePeriod: p });

export const INDICATOR_CASES: readonly IndicatorCase[] = [
  {
    label: 'sma(20)',
    ours: (b) => [ind.sma(b.close, 20)],
    talib: { name: 'SMA', inputs: real, options: period(20), outputs: ['outReal'] },
    lookback: 19,
  },
  {
    label: 'ema(20)',
    ours: (b) => [ind.ema(b.close, 20)],
    talib: { name: 'EMA', inputs: real, options: period(20), outputs: ['outReal'] },
    lookback: 19,
  },
  {
    label: 'ema(2)',
    ours: (b) => [ind.ema(b.close, 2)],
    talib: { name: 'EMA', inputs: real, options: period(2), outputs: ['outReal'] },
    lookback: 1,
  },
  {
    label: 'rsi(14)',
    ours: (b) => [ind.rsi(b.close)],
    talib: { name: 'RSI', inputs: real, options: period(14), outputs: ['outReal'] },
    lookback: 14,
  },
  {
    label: 'rsi(2)',
    ours: (b) => [ind.rsi(b.close, 2)],
    talib: { name: 'RSI', inputs: real, options: period(2), outputs: ['outReal'] },
    lookback: 2,
  },
  {
    label: 'macd(12,26,9)',
    ours: (b) => {
      const m = ind.macd(b.close);
      return [m.macd, m.signal, m.hist];
    },
    talib: {
      name: 'MACD',
      inputs: real,
      options: { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 },
      outputs: ['outMACD', 'outMACDSignal', 'outMACDHist'],
    },
    lookback: 33,
  },
  {
    label: 'macd(35,5,2) (fast > slow: swapped)',
    ours: (b) => {
      const m = ind.macd(b.close, 35, 5, 2);
      return [m.macd, m.signal, m.hist];
    },
    talib: {
      name: 'MACD',
      inputs: real,
      options: { optInFastPeriod: 35, optInSlowPeriod: 5, optInSignalPeriod: 2 },
      outputs: ['outMACD', 'outMACDSignal', 'outMACDHist'],
    },
    lookback: 35,
  },
  {
    label: 'bbands(20,2,2)',
    ours: (b) => {
      const bb = ind.bbands(b.close);
      return [bb.upper, bb.middle, bb.lower];
    },
    talib: {
      name: 'BBANDS',
      inputs: real,
      options: { ...period(20), optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 },
      outputs: ['outRealUpperBand', 'outRealMiddleBand', 'outRealLowerBand'],
    },
    lookback: 19,
  },
  {
    label: 'bbands(10,1,2.5)',
    ours: (b) => {
      const bb = ind.bbands(b.close, 10, 1, 2.5);
      return [bb.upper, bb.middle, bb.lower];
    },
    talib: {
      name: 'BBANDS',
      inputs: real,
      options: { ...period(10), optInNbDevUp: 1, optInNbDevDn: 2.5, optInMAType: 0 },
      outputs: ['outRealUpperBand', 'outRealMiddleBand', 'outRealLowerBand'],
    },
    lookback: 9,
  },
  {
    label: 'stddev(20)',
    ours: (b) => [ind.stddev(b.close, 20)],
    talib: { name: 'STDDEV', inputs: real, options: { ...period(20), optInNbDev: 1 }, outputs: ['outReal'] },
    lookback: 19,
  },
  {
    label: 'stddev(5,2)',
    ours: (b) => [ind.stddev(b.close, 5, 2)],
    talib: { name: 'STDDEV', inputs: real, options: { ...period(5), optInNbDev: 2 }, outputs: ['outReal'] },
    lookback: 4,
  },
  {
    label: 'trueRange',
    ours: (b) => [ind.trueRange(b.high, b.low, b.close)],
    talib: { name: 'TRANGE', inputs: hlc, options: {}, outputs: ['outReal'] },
    lookback: 1,
  },
  {
    label: 'atr(14)',
    ours: (b) => [ind.atr(b.high, b.low, b.close)],
    talib: { name: 'ATR', inputs: hlc, options: period(14), outputs: ['outReal'] },
    lookback: 14,
  },
  {
    label: 'atr(1)',
    ours: (b) => [ind.atr(b.high, b.low, b.close, 1)],
    talib: { name: 'ATR', inputs: hlc, options: period(1), outputs: ['outReal'] },
    lookback: 1,
  },
  {
    label: 'stoch(14,3,3)',
    ours: (b) => {
      const s = ind.stoch(b.high, b.low, b.close);
      return [s.k, s.d];
    },
    talib: {
      name: 'STOCH',
      inputs: hlc,
      options: { optInFastK_Period: 14, optInSlowK_Period: 3, optInSlowK_MAType: 0, optInSlowD_Period: 3, optInSlowD_MAType: 0 },
      outputs: ['outSlowK', 'outSlowD'],
    },
    lookback: 17,
  },
  {
    label: 'stoch(5,1,4)',
    ours: (b) => {
      const s = ind.stoch(b.high, b.low, b.close, 5, 1, 4);
      return [s.k, s.d];
    },
    talib: {
      name: 'STOCH',
      inputs: hlc,
      options: { optInFastK_Period: 5, optInSlowK_Period: 1, optInSlowK_MAType: 0, optInSlowD_Period: 4, optInSlowD_MAType: 0 },
      outputs: ['outSlowK', 'outSlowD'],
    },
    lookback: 7,
  },
  {
    label: 'adx(14)',
    ours: (b) => [ind.adx(b.high, b.low, b.close)],
    talib: { name: 'ADX', inputs: hlc, options: period(14), outputs: ['outReal'] },
    lookback: 27,
  },
  {
    label: 'adx(3)',
    ours: (b) => [ind.adx(b.high, b.low, b.close, 3)],
    talib: { name: 'ADX', inputs: hlc, options: period(3), outputs: ['outReal'] },
    lookback: 5,
  },
  {
    label: 'plusDi(14)',
    ours: (b) => [ind.plusDi(b.high, b.low, b.close)],
    talib: { name: 'PLUS_DI', inputs: hlc, options: period(14), outputs: ['outReal'] },
    lookback: 14,
  },
  {
    label: 'minusDi(14)',
    ours: (b) => [ind.minusDi(b.high, b.low, b.close)],
    talib: { name: 'MINUS_DI', inputs: hlc, options: period(14), outputs: ['outReal'] },
    lookback: 14,
  },
  {
    label: 'obv',
    ours: (b) => [ind.obv(b.close, b.volume)],
    talib: { name: 'OBV', inputs: (b) => ({ inReal: b.close, volume: b.volume }), options: {}, outputs: ['outReal'] },
    lookback: 0,
  },
  {
    label: 'roc(10)',
    ours: (b) => [ind.roc(b.close, 10)],
    talib: { name: 'ROC', inputs: real, options: period(10), outputs: ['outReal'] },
    lookback: 10,
  },
  {
    label: 'roc(1)',
    ours: (b) => [ind.roc(b.close, 1)],
    talib: { name: 'ROC', inputs: real, options: period(1), outputs: ['outReal'] },
    lookback: 1,
  },
  {
    label: 'willr(14)',
    ours: (b) => [ind.willr(b.high, b.low, b.close)],
    talib: { name: 'WILLR', inputs: hlc, options: period(14), outputs: ['outReal'] },
    lookback: 13,
  },
  {
    label: 'cci(20)',
    ours: (b) => [ind.cci(b.high, b.low, b.close)],
    talib: { name: 'CCI', inputs: hlc, options: period(20), outputs: ['outReal'] },
    lookback: 19,
  },
  {
    label: 'cci(7)',
    ours: (b) => [ind.cci(b.high, b.low, b.close, 7)],
    talib: { name: 'CCI', inputs: hlc, options: period(7), outputs: ['outReal'] },
    lookback: 6,
  },
  {
    label: 'mfi(14)',
    ours: (b) => [ind.mfi(b.high, b.low, b.close, b.volume)],
    talib: { name: 'MFI', inputs: hlcv, options: period(14), outputs: ['outReal'] },
    lookback: 14,
  },
];
