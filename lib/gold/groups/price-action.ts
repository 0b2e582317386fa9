import type { BarSeries } from '../bar-series';
import { adx, atr, ema, macd, minusDi, plusDi, rsi } from '../indicators';
import { spec, type FeatureSpec, type FeatureTimeframe } from '../feature-spec';
import { map, windowMax, windowMean, windowMin, windowStd } from '../windows';
import type { BarFeatureGroup } from './types';

/**
 * Category 1, price action. The fixed core (RSI, MACD, Bollinger, ATR; docs/features.md#fixed-core-indicators) follows
 * TA-Lib's definitions exactly; SMAs, Bollinger and stochastic sum each window afresh (see ../windows.ts), EMA-type
 * indicators run TA-Lib's recursions, whose start-up memory decays below double precision within the warm-up (see
 * ../features.ts).
 */

const pa = 'price_action' as const;

function specs(tf: FeatureTimeframe): FeatureSpec[] {
  const s = (name: string, definition: string, warmupBars: number, range: { min?: number; max?: number } = {}) =>
    spec({ name: `${name}_${tf}`, category: pa, timeframe: tf, definition, warmupBars, ...range });
  return [
    s('rsi_14', 'RSI(14) of closes, Wilder smoothing seeded by the mean of the first 14 changes (TA-Lib RSI)', 14, {
      min: 0,
      max: 100,
    }),
    s('macd', 'MACD line: EMA(12) - EMA(26) of closes, EMAs seeded by SMA (TA-Lib MACD 12/26/9)', 33),
    s('macd_signal', 'MACD signal: EMA(9) of the MACD line, seeded by SMA (TA-Lib MACD 12/26/9)', 33),
    s('macd_hist', 'MACD histogram: MACD line - signal (TA-Lib MACD 12/26/9)', 33),
    s('bb_upper_20', 'Bollinger upper band: SMA(20) + 2 x population standard deviation of closes (TA-Lib BBANDS)', 19, {
      min: 0,
    }),
    s('bb_middle_20', 'Bollinger middle band: SMA(20) of closes (TA-Lib BBANDS)', 19, { min: 0 }),
    s('bb_lower_20', 'Bollinger lower band: SMA(20) - 2 x population standard deviation of closes (TA-Lib BBANDS)', 19),
    s('bb_pctb_20', 'Bollinger %b: (close - lower) / (upper - lower); 0.5 when the bands have zero width', 19),
    s('bb_width_20', 'Bollinger width: (upper - lower) / middle', 19, { min: 0 }),
    s('atr_14', 'Average true range(14), Wilder smoothing seeded by the mean of the first 14 true ranges (TA-Lib ATR)', 14, {
      min: 0,
    }),
    s('natr_14', 'Normalized ATR: 100 x ATR(14) / close (TA-Lib NATR)', 14, { min: 0 }),
    s('ema_9', 'EMA(9) of closes seeded by SMA(9) (TA-Lib EMA)', 8, { min: 0 }),
    s('ema_21', 'EMA(21) of closes seeded by SMA(21) (TA-Lib EMA)', 20, { min: 0 }),
    s('ema_50', 'EMA(50) of closes seeded by SMA(50) (TA-Lib EMA)', 49, { min: 0 }),
    s('sma_20', 'SMA(20) of closes', 19, { min: 0 }),
    s('sma_50', 'SMA(50) of closes', 49, { min: 0 }),
    s(
      'stoch_k_14',
      'Slow stochastic %K: SMA(3) of 100 x (close - lowest low(14)) / (highest high(14) - lowest low(14)) (TA-Lib STOCH 14/3/3)',
      15,
      { min: 0, max: 100 },
    ),
    s('stoch_d_14', 'Slow stochastic %D: SMA(3) of slow %K (TA-Lib STOCH 14/3/3)', 17, { min: 0, max: 100 }),
    s('adx_14', 'Average directional index(14), Wilder smoothing (TA-Lib ADX)', 27, { min: 0, max: 100 }),
    s('plus_di_14', '+DI(14), Wilder smoothing (TA-Lib PLUS_DI)', 14, { min: 0, max: 100 }),
    s('minus_di_14', '-DI(14), Wilder smoothing (TA-Lib MINUS_DI)', 14, { min: 0, max: 100 }),
  ];
}

/** TA-Lib STOCH(14, 3 SMA, 3 SMA); a flat window (highest = lowest) gives fast %K 0, as TA-Lib does. */
function stochastic(high: Float64Array, low: Float64Array, close: Float64Array): { k: Float64Array; d: Float64Array } {
  const hh = windowMax(high, 14);
  const ll = windowMin(low, 14);
  const fastK = map(close.length, (i) => {
    const range = hh[i] - ll[i];
    return range > 0 ? (100 * (close[i] - ll[i])) / range : range === 0 ? 0 : NaN;
  });
  const k = windowMean(fastK, 3);
  return { k, d: windowMean(k, 3) };
}

function compute(series: BarSeries, tf: FeatureTimeframe): Record<string, Float64Array> {
  const { high, low, close } = series;
  const m = macd(close);
  const middle = windowMean(close, 20);
  const sd = windowStd(close, 20, middle);
  const upper = map(series.length, (i) => middle[i] + 2 * sd[i]);
  const lower = map(series.length, (i) => middle[i] - 2 * sd[i]);
  const a = atr(high, low, close, 14);
  const st = stochastic(high, low, close);
  const out: Record<string, Float64Array> = {
    rsi_14: rsi(close, 14),
    macd: m.macd,
    macd_signal: m.signal,
    macd_hist: m.hist,
    bb_upper_20: upper,
    bb_middle_20: middle,
    bb_lower_20: lower,
    bb_pctb_20: map(series.length, (i) =>
      upper[i] > lower[i] ? (close[i] - lower[i]) / (upper[i] - lower[i]) : Number.isNaN(upper[i]) ? NaN : 0.5,
    ),
    bb_width_20: map(series.length, (i) => (middle[i] > 0 ? (upper[i] - lower[i]) / middle[i] : NaN)),
    atr_14: a,
    natr_14: map(series.length, (i) => (close[i] > 0 ? (100 * a[i]) / close[i] : NaN)),
    ema_9: ema(close, 9),
    ema_21: ema(close, 21),
    ema_50: ema(close, 50),
    sma_20: middle,
    sma_50: windowMean(close, 50),
    stoch_k_14: st.k,
    stoch_d_14: st.d,
    adx_14: adx(high, low, close, 14),
    plus_di_14: plusDi(high, low, close, 14),
    minus_di_14: minusDi(high, low, close, 14),
  };
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [`${k}_${tf}`, v]));
}

export const priceAction: BarFeatureGroup = { specs, compute };
