// Generated from the Gold feature catalogue (lib/gold/feature-columns.ts) by `npm run gen:gold-columns`: do not edit.
// It is data in the schema so that the registry (and with it Glue, DuckDB and the CDK app) describes
// gold/features_1m without importing the feature code; test/gold/features.test.ts fails when it is out of date.
import { dbl } from './columns';
import type { ColumnSpec } from './types';

/** The feature and label columns of gold/features_1m, after its fixed columns, in catalogue order. */
export const GOLD_FEATURE_COLUMNS: readonly ColumnSpec[] = [
  dbl(
    'rsi_14_1m',
    'RSI(14) of closes, Wilder smoothing seeded by the mean of the first 14 changes (TA-Lib RSI); null during warm-up',
    true,
    { min: 0, max: 100 },
  ),
  dbl('macd_1m', 'MACD line: EMA(12) - EMA(26) of closes, EMAs seeded by SMA (TA-Lib MACD 12/26/9); null during warm-up', true),
  dbl('macd_signal_1m', 'MACD signal: EMA(9) of the MACD line, seeded by SMA (TA-Lib MACD 12/26/9); null during warm-up', true),
  dbl('macd_hist_1m', 'MACD histogram: MACD line - signal (TA-Lib MACD 12/26/9); null during warm-up', true),
  dbl(
    'bb_upper_20_1m',
    'Bollinger upper band: SMA(20) + 2 x population standard deviation of closes (TA-Lib BBANDS); null during warm-up',
    true,
    { min: 0 },
  ),
  dbl('bb_middle_20_1m', 'Bollinger middle band: SMA(20) of closes (TA-Lib BBANDS); null during warm-up', true, { min: 0 }),
  dbl(
    'bb_lower_20_1m',
    'Bollinger lower band: SMA(20) - 2 x population standard deviation of closes (TA-Lib BBANDS); null during warm-up',
    true,
  ),
  dbl(
    'bb_pctb_20_1m',
    'Bollinger %b: (close - lower) / (upper - lower); 0.5 when the bands have zero width; null during warm-up',
    true,
  ),
  dbl('bb_width_20_1m', 'Bollinger width: (upper - lower) / middle; null during warm-up', true, { min: 0 }),
  dbl(
    'atr_14_1m',
    'Average true range(14), Wilder smoothing seeded by the mean of the first 14 true ranges (TA-Lib ATR); null during warm-up',
    true,
    { min: 0 },
  ),
  dbl('natr_14_1m', 'Normalized ATR: 100 x ATR(14) / close (TA-Lib NATR); null during warm-up', true, { min: 0 }),
  dbl('ema_9_1m', 'EMA(9) of closes seeded by SMA(9) (TA-Lib EMA); null during warm-up', true, { min: 0 }),
  dbl('ema_21_1m', 'EMA(21) of closes seeded by SMA(21) (TA-Lib EMA); null during warm-up', true, { min: 0 }),
  dbl('ema_50_1m', 'EMA(50) of closes seeded by SMA(50) (TA-Lib EMA); null during warm-up', true, { min: 0 }),
  dbl('sma_20_1m', 'SMA(20) of closes; null during warm-up', true, { min: 0 }),
  dbl('sma_50_1m', 'SMA(50) of closes; null during warm-up', true, { min: 0 }),
  dbl(
    'stoch_k_14_1m',
    'Slow stochastic %K: SMA(3) of 100 x (close - lowest low(14)) / (highest high(14) - lowest low(14)) (TA-Lib STOCH 14/3/3); ' +
      'null during warm-up',
    true,
    { min: 0, max: 100 },
  ),
  dbl('stoch_d_14_1m', 'Slow stochastic %D: SMA(3) of slow %K (TA-Lib STOCH 14/3/3); null during warm-up', true, {
    min: 0,
    max: 100,
  }),
  dbl('adx_14_1m', 'Average directional index(14), Wilder smoothing (TA-Lib ADX); null during warm-up', true, {
    min: 0,
    max: 100,
  }),
  dbl('plus_di_14_1m', '+DI(14), Wilder smoothing (TA-Lib PLUS_DI); null during warm-up', true, { min: 0, max: 100 }),
  dbl('minus_di_14_1m', '-DI(14), Wilder smoothing (TA-Lib MINUS_DI); null during warm-up', true, { min: 0, max: 100 }),
  dbl(
    'rsi_14_5m',
    'RSI(14) of closes, Wilder smoothing seeded by the mean of the first 14 changes (TA-Lib RSI); null during warm-up',
    true,
    { min: 0, max: 100 },
  ),
  dbl('macd_5m', 'MACD line: EMA(12) - EMA(26) of closes, EMAs seeded by SMA (TA-Lib MACD 12/26/9); null during warm-up', true),
  dbl('macd_signal_5m', 'MACD signal: EMA(9) of the MACD line, seeded by SMA (TA-Lib MACD 12/26/9); null during warm-up', true),
  dbl('macd_hist_5m', 'MACD histogram: MACD line - signal (TA-Lib MACD 12/26/9); null during warm-up', true),
  dbl(
    'bb_upper_20_5m',
    'Bollinger upper band: SMA(20) + 2 x population standard deviation of closes (TA-Lib BBANDS); null during warm-up',
    true,
    { min: 0 },
  ),
  dbl('bb_middle_20_5m', 'Bollinger middle band: SMA(20) of closes (TA-Lib BBANDS); null during warm-up', true, { min: 0 }),
  dbl(
    'bb_lower_20_5m',
    'Bollinger lower band: SMA(20) - 2 x population standard deviation of closes (TA-Lib BBANDS); null during warm-up',
    true,
  ),
  dbl(
    'bb_pctb_20_5m',
    'Bollinger %b: (close - lower) / (upper - lower); 0.5 when the bands have zero width; null during warm-up',
    true,
  ),
  dbl('bb_width_20_5m', 'Bollinger width: (upper - lower) / middle; null during warm-up', true, { min: 0 }),
  dbl(
    'atr_14_5m',
    'Average true range(14), Wilder smoothing seeded by the mean of the first 14 true ranges (TA-Lib ATR); null during warm-up',
    true,
    { min: 0 },
  ),
  dbl('natr_14_5m', 'Normalized ATR: 100 x ATR(14) / close (TA-Lib NATR); null during warm-up', true, { min: 0 }),
  dbl('ema_9_5m', 'EMA(9) of closes seeded by SMA(9) (TA-Lib EMA); null during warm-up', true, { min: 0 }),
  dbl('ema_21_5m', 'EMA(21) of closes seeded by SMA(21) (TA-Lib EMA); null during warm-up', true, { min: 0 }),
  dbl('ema_50_5m', 'EMA(50) of closes seeded by SMA(50) (TA-Lib EMA); null during warm-up', true, { min: 0 }),
  dbl('sma_20_5m', 'SMA(20) of closes; null during warm-up', true, { min: 0 }),
  dbl('sma_50_5m', 'SMA(50) of closes; null during warm-up', true, { min: 0 }),
  dbl(
    'stoch_k_14_5m',
    'Slow stochastic %K: SMA(3) of 100 x (close - lowest low(14)) / (highest high(14) - lowest low(14)) (TA-Lib STOCH 14/3/3); ' +
      'null during warm-up',
    true,
    { min: 0, max: 100 },
  ),
  dbl('stoch_d_14_5m', 'Slow stochastic %D: SMA(3) of slow %K (TA-Lib STOCH 14/3/3); null during warm-up', true, {
    min: 0,
    max: 100,
  }),
  dbl('adx_14_5m', 'Average directional index(14), Wilder smoothing (TA-Lib ADX); null during warm-up', true, {
    min: 0,
    max: 100,
  }),
  dbl('plus_di_14_5m', '+DI(14), Wilder smoothing (TA-Lib PLUS_DI); null during warm-up', true, { min: 0, max: 100 }),
  dbl('minus_di_14_5m', '-DI(14), Wilder smoothing (TA-Lib MINUS_DI); null during warm-up', true, { min: 0, max: 100 }),
  dbl(
    'rsi_14_15m',
    'RSI(14) of closes, Wilder smoothing seeded by the mean of the first 14 changes (TA-Lib RSI); null during warm-up',
    true,
    { min: 0, max: 100 },
  ),
  dbl('macd_15m', 'MACD line: EMA(12) - EMA(26) of closes, EMAs seeded by SMA (TA-Lib MACD 12/26/9); null during warm-up', true),
  dbl('macd_signal_15m', 'MACD signal: EMA(9) of the MACD line, seeded by SMA (TA-Lib MACD 12/26/9); null during warm-up', true),
  dbl('macd_hist_15m', 'MACD histogram: MACD line - signal (TA-Lib MACD 12/26/9); null during warm-up', true),
  dbl(
    'bb_upper_20_15m',
    'Bollinger upper band: SMA(20) + 2 x population standard deviation of closes (TA-Lib BBANDS); null during warm-up',
    true,
    { min: 0 },
  ),
  dbl('bb_middle_20_15m', 'Bollinger middle band: SMA(20) of closes (TA-Lib BBANDS); null during warm-up', true, { min: 0 }),
  dbl(
    'bb_lower_20_15m',
    'Bollinger lower band: SMA(20) - 2 x population standard deviation of closes (TA-Lib BBANDS); null during warm-up',
    true,
  ),
  dbl(
    'bb_pctb_20_15m',
    'Bollinger %b: (close - lower) / (upper - lower); 0.5 when the bands have zero width; null during warm-up',
    true,
  ),
  dbl('bb_width_20_15m', 'Bollinger width: (upper - lower) / middle; null during warm-up', true, { min: 0 }),
  dbl(
    'atr_14_15m',
    'Average true range(14), Wilder smoothing seeded by the mean of the first 14 true ranges (TA-Lib ATR); null during warm-up',
    true,
    { min: 0 },
  ),
  dbl('natr_14_15m', 'Normalized ATR: 100 x ATR(14) / close (TA-Lib NATR); null during warm-up', true, { min: 0 }),
  dbl('ema_9_15m', 'EMA(9) of closes seeded by SMA(9) (TA-Lib EMA); null during warm-up', true, { min: 0 }),
  dbl('ema_21_15m', 'EMA(21) of closes seeded by SMA(21) (TA-Lib EMA); null during warm-up', true, { min: 0 }),
  dbl('ema_50_15m', 'EMA(50) of closes seeded by SMA(50) (TA-Lib EMA); null during warm-up', true, { min: 0 }),
  dbl('sma_20_15m', 'SMA(20) of closes; null during warm-up', true, { min: 0 }),
  dbl('sma_50_15m', 'SMA(50) of closes; null during warm-up', true, { min: 0 }),
  dbl(
    'stoch_k_14_15m',
    'Slow stochastic %K: SMA(3) of 100 x (close - lowest low(14)) / (highest high(14) - lowest low(14)) (TA-Lib STOCH 14/3/3); ' +
      'null during warm-up',
    true,
    { min: 0, max: 100 },
  ),
  dbl('stoch_d_14_15m', 'Slow stochastic %D: SMA(3) of slow %K (TA-Lib STOCH 14/3/3); null during warm-up', true, {
    min: 0,
    max: 100,
  }),
  dbl('adx_14_15m', 'Average directional index(14), Wilder smoothing (TA-Lib ADX); null during warm-up', true, {
    min: 0,
    max: 100,
  }),
  dbl('plus_di_14_15m', '+DI(14), Wilder smoothing (TA-Lib PLUS_DI); null during warm-up', true, { min: 0, max: 100 }),
  dbl('minus_di_14_15m', '-DI(14), Wilder smoothing (TA-Lib MINUS_DI); null during warm-up', true, { min: 0, max: 100 }),
  dbl(
    'vwap_20_1m',
    'VWAP of the last 20 bars: sum(quote volume) / sum(base volume); quote volume is typical price x volume where missing; ' +
      'null when the 20 bars traded nothing; null during warm-up',
    true,
    { min: 0 },
  ),
  dbl('vwap_dist_20_1m', 'close vs vwap_20 in basis points: (close / vwap - 1) x 10,000; null during warm-up', true),
  dbl('volume_sma_20_1m', 'SMA(20) of base volume; null during warm-up', true, { min: 0 }),
  dbl(
    'volume_spike_20_1m',
    'volume / mean volume of the 20 bars before it; null when those traded nothing; null during warm-up',
    true,
    { min: 0 },
  ),
  dbl(
    'taker_buy_ratio_1m',
    'taker-buy base volume / base volume of the bar; 0.5 when the bar traded nothing; null where the source has no taker ' +
      'volume; null during warm-up',
    true,
    { min: 0, max: 1 },
  ),
  dbl(
    'obv_20_1m',
    'on-balance volume over the last 20 bars: sum of volume signed by the direction of each close vs the close before; null ' +
      'during warm-up',
    true,
  ),
  dbl(
    'vwap_20_5m',
    'VWAP of the last 20 bars: sum(quote volume) / sum(base volume); quote volume is typical price x volume where missing; ' +
      'null when the 20 bars traded nothing; null during warm-up',
    true,
    { min: 0 },
  ),
  dbl('vwap_dist_20_5m', 'close vs vwap_20 in basis points: (close / vwap - 1) x 10,000; null during warm-up', true),
  dbl('volume_sma_20_5m', 'SMA(20) of base volume; null during warm-up', true, { min: 0 }),
  dbl(
    'volume_spike_20_5m',
    'volume / mean volume of the 20 bars before it; null when those traded nothing; null during warm-up',
    true,
    { min: 0 },
  ),
  dbl(
    'taker_buy_ratio_5m',
    'taker-buy base volume / base volume of the bar; 0.5 when the bar traded nothing; null where the source has no taker ' +
      'volume; null during warm-up',
    true,
    { min: 0, max: 1 },
  ),
  dbl(
    'obv_20_5m',
    'on-balance volume over the last 20 bars: sum of volume signed by the direction of each close vs the close before; null ' +
      'during warm-up',
    true,
  ),
  dbl(
    'vwap_20_15m',
    'VWAP of the last 20 bars: sum(quote volume) / sum(base volume); quote volume is typical price x volume where missing; ' +
      'null when the 20 bars traded nothing; null during warm-up',
    true,
    { min: 0 },
  ),
  dbl('vwap_dist_20_15m', 'close vs vwap_20 in basis points: (close / vwap - 1) x 10,000; null during warm-up', true),
  dbl('volume_sma_20_15m', 'SMA(20) of base volume; null during warm-up', true, { min: 0 }),
  dbl(
    'volume_spike_20_15m',
    'volume / mean volume of the 20 bars before it; null when those traded nothing; null during warm-up',
    true,
    { min: 0 },
  ),
  dbl(
    'taker_buy_ratio_15m',
    'taker-buy base volume / base volume of the bar; 0.5 when the bar traded nothing; null where the source has no taker ' +
      'volume; null during warm-up',
    true,
    { min: 0, max: 1 },
  ),
  dbl(
    'obv_20_15m',
    'on-balance volume over the last 20 bars: sum of volume signed by the direction of each close vs the close before; null ' +
      'during warm-up',
    true,
  ),
  dbl('roc_1_1m', 'rate of change over 1 bar: 100 x (close / close 1 bar earlier - 1) (TA-Lib ROC); null during warm-up', true),
  dbl('roc_3_1m', 'rate of change over 3 bars: 100 x (close / close 3 bars earlier - 1) (TA-Lib ROC); null during warm-up', true),
  dbl('roc_5_1m', 'rate of change over 5 bars: 100 x (close / close 5 bars earlier - 1) (TA-Lib ROC); null during warm-up', true),
  dbl(
    'roc_10_1m',
    'rate of change over 10 bars: 100 x (close / close 10 bars earlier - 1) (TA-Lib ROC); null during warm-up',
    true,
  ),
  dbl('higher_highs_10_1m', 'how many of the last 10 bars made a high above the bar before; null during warm-up', true, {
    min: 0,
    max: 10,
  }),
  dbl('lower_lows_10_1m', 'how many of the last 10 bars made a low below the bar before; null during warm-up', true, {
    min: 0,
    max: 10,
  }),
  dbl('roc_1_5m', 'rate of change over 1 bar: 100 x (close / close 1 bar earlier - 1) (TA-Lib ROC); null during warm-up', true),
  dbl('roc_3_5m', 'rate of change over 3 bars: 100 x (close / close 3 bars earlier - 1) (TA-Lib ROC); null during warm-up', true),
  dbl('roc_5_5m', 'rate of change over 5 bars: 100 x (close / close 5 bars earlier - 1) (TA-Lib ROC); null during warm-up', true),
  dbl(
    'roc_10_5m',
    'rate of change over 10 bars: 100 x (close / close 10 bars earlier - 1) (TA-Lib ROC); null during warm-up',
    true,
  ),
  dbl('higher_highs_10_5m', 'how many of the last 10 bars made a high above the bar before; null during warm-up', true, {
    min: 0,
    max: 10,
  }),
  dbl('lower_lows_10_5m', 'how many of the last 10 bars made a low below the bar before; null during warm-up', true, {
    min: 0,
    max: 10,
  }),
  dbl('roc_1_15m', 'rate of change over 1 bar: 100 x (close / close 1 bar earlier - 1) (TA-Lib ROC); null during warm-up', true),
  dbl(
    'roc_3_15m',
    'rate of change over 3 bars: 100 x (close / close 3 bars earlier - 1) (TA-Lib ROC); null during warm-up',
    true,
  ),
  dbl(
    'roc_5_15m',
    'rate of change over 5 bars: 100 x (close / close 5 bars earlier - 1) (TA-Lib ROC); null during warm-up',
    true,
  ),
  dbl(
    'roc_10_15m',
    'rate of change over 10 bars: 100 x (close / close 10 bars earlier - 1) (TA-Lib ROC); null during warm-up',
    true,
  ),
  dbl('higher_highs_10_15m', 'how many of the last 10 bars made a high above the bar before; null during warm-up', true, {
    min: 0,
    max: 10,
  }),
  dbl('lower_lows_10_15m', 'how many of the last 10 bars made a low below the bar before; null during warm-up', true, {
    min: 0,
    max: 10,
  }),
  dbl('swing_high_dist_20_1m', 'close vs the highest high of the last 20 bars, basis points (<= 0); null during warm-up', true, {
    max: 0,
  }),
  dbl('swing_low_dist_20_1m', 'close vs the lowest low of the last 20 bars, basis points (>= 0); null during warm-up', true, {
    min: 0,
  }),
  dbl(
    'engulfing_1m',
    '+1 bullish engulfing (a down bar then an up bar whose body covers it), -1 bearish engulfing, else 0; null during warm-up',
    true,
    { min: -1, max: 1 },
  ),
  dbl(
    'doji_1m',
    '1 when the body |close - open| is at most 10 % of a non-zero range high - low, else 0; null during warm-up',
    true,
    { min: 0, max: 1 },
  ),
  dbl(
    'zone_touches_50_1m',
    'how many of the 50 bars before this one traded within ±0.1 % of this close (support/resistance strength); null during ' +
      'warm-up',
    true,
    { min: 0, max: 50 },
  ),
  dbl('swing_high_dist_20_5m', 'close vs the highest high of the last 20 bars, basis points (<= 0); null during warm-up', true, {
    max: 0,
  }),
  dbl('swing_low_dist_20_5m', 'close vs the lowest low of the last 20 bars, basis points (>= 0); null during warm-up', true, {
    min: 0,
  }),
  dbl(
    'engulfing_5m',
    '+1 bullish engulfing (a down bar then an up bar whose body covers it), -1 bearish engulfing, else 0; null during warm-up',
    true,
    { min: -1, max: 1 },
  ),
  dbl(
    'doji_5m',
    '1 when the body |close - open| is at most 10 % of a non-zero range high - low, else 0; null during warm-up',
    true,
    { min: 0, max: 1 },
  ),
  dbl(
    'zone_touches_50_5m',
    'how many of the 50 bars before this one traded within ±0.1 % of this close (support/resistance strength); null during ' +
      'warm-up',
    true,
    { min: 0, max: 50 },
  ),
  dbl('swing_high_dist_20_15m', 'close vs the highest high of the last 20 bars, basis points (<= 0); null during warm-up', true, {
    max: 0,
  }),
  dbl('swing_low_dist_20_15m', 'close vs the lowest low of the last 20 bars, basis points (>= 0); null during warm-up', true, {
    min: 0,
  }),
  dbl(
    'engulfing_15m',
    '+1 bullish engulfing (a down bar then an up bar whose body covers it), -1 bearish engulfing, else 0; null during warm-up',
    true,
    { min: -1, max: 1 },
  ),
  dbl(
    'doji_15m',
    '1 when the body |close - open| is at most 10 % of a non-zero range high - low, else 0; null during warm-up',
    true,
    { min: 0, max: 1 },
  ),
  dbl(
    'zone_touches_50_15m',
    'how many of the 50 bars before this one traded within ±0.1 % of this close (support/resistance strength); null during ' +
      'warm-up',
    true,
    { min: 0, max: 50 },
  ),
  dbl(
    'vwap_session_1m',
    "VWAP of the UTC day's 1m bars up to and including the row's; quote volume is typical price x volume where missing; null " +
      'until the day has traded; null during warm-up',
    true,
    { min: 0 },
  ),
  dbl('vwap_session_dist_1m', 'close vs vwap_session_1m, basis points; null during warm-up', true),
  dbl(
    'trend_alignment_ema_9_21',
    'sum over 1m, 5m and 15m of sign(ema_9 - ema_21): +3 when every timeframe trends up, -3 when all trend down; null during ' +
      'warm-up',
    true,
    { min: -3, max: 3 },
  ),
  dbl(
    'book_imbalance_l1_1m',
    "mean over the minute's snapshots of (bid size - ask size) / (bid size + ask size) summed over the top 1 level; null " +
      'during warm-up',
    true,
    { min: -1, max: 1 },
  ),
  dbl(
    'book_imbalance_l3_1m',
    "mean over the minute's snapshots of (bid size - ask size) / (bid size + ask size) summed over the top 3 levels; null " +
      'during warm-up',
    true,
    { min: -1, max: 1 },
  ),
  dbl(
    'book_imbalance_l5_1m',
    "mean over the minute's snapshots of (bid size - ask size) / (bid size + ask size) summed over the top 5 levels; null " +
      'during warm-up',
    true,
    { min: -1, max: 1 },
  ),
  dbl(
    'book_imbalance_l10_1m',
    "mean over the minute's snapshots of (bid size - ask size) / (bid size + ask size) summed over the top 10 levels; null " +
      'during warm-up',
    true,
    { min: -1, max: 1 },
  ),
  dbl(
    'book_spread_bps_1m',
    "mean over the minute's snapshots of (best ask - best bid) / mid, basis points; null during warm-up",
    true,
    { min: 0 },
  ),
  dbl(
    'book_whale_bid_qty_1m',
    'largest single bid size among the top 10 levels in the last snapshot of the minute; null during warm-up',
    true,
    { min: 0 },
  ),
  dbl('book_whale_bid_dist_bps_1m', 'distance of that largest bid below mid, basis points; null during warm-up', true, {
    min: 0,
  }),
  dbl(
    'book_whale_ask_qty_1m',
    'largest single ask size among the top 10 levels in the last snapshot of the minute; null during warm-up',
    true,
    { min: 0 },
  ),
  dbl('book_whale_ask_dist_bps_1m', 'distance of that largest ask above mid, basis points; null during warm-up', true, {
    min: 0,
  }),
  dbl(
    'book_pressure_l5_1m',
    "change of the top-5 imbalance inside the minute: last snapshot's minus first snapshot's; null during warm-up",
    true,
    { min: -2, max: 2 },
  ),
  dbl('book_snapshots_1m', 'number of book snapshots in the minute; null during warm-up', true, { min: 0 }),
  dbl('funding_rate', 'latest funding rate of the perpetual (per funding interval) known before ts; null during warm-up', true, {
    min: -1,
    max: 1,
  }),
  dbl('funding_rate_change_1h', 'funding_rate minus the funding rate known one hour earlier; null during warm-up', true, {
    min: -2,
    max: 2,
  }),
  dbl('mark_premium_bps', 'latest (mark price - index price) / index price, basis points; null during warm-up', true),
  dbl(
    'oi_change_pct_5m',
    'open interest change over 5 minutes, percent: 100 x (latest / latest 5 minutes earlier - 1); null during warm-up',
    true,
    { min: -100 },
  ),
  dbl('oi_change_pct_1h', 'open interest change over 1 hour, percent; null during warm-up', true, { min: -100 }),
  dbl('liq_count_1h', 'liquidation orders in the hour before ts; null during warm-up', true, { min: 0 }),
  dbl(
    'liq_notional_1h',
    'notional (average fill price x filled quantity, else price x quantity) liquidated in the hour before ts; null during ' +
      'warm-up',
    true,
    { min: 0 },
  ),
  dbl('liq_long_notional_1h', 'notional of longs liquidated (SELL orders) in the hour before ts; null during warm-up', true, {
    min: 0,
  }),
  dbl('liq_short_notional_1h', 'notional of shorts liquidated (BUY orders) in the hour before ts; null during warm-up', true, {
    min: 0,
  }),
  dbl('sma_7_1d', 'SMA(7) of the daily closes of the last 7 completed UTC days; null during warm-up', true, { min: 0 }),
  dbl('dist_sma_7_1d', 'close vs sma_7_1d, basis points: (close / sma - 1) x 10,000; null during warm-up', true),
  dbl('sma_30_1d', 'SMA(30) of the daily closes of the last 30 completed UTC days; null during warm-up', true, { min: 0 }),
  dbl('dist_sma_30_1d', 'close vs sma_30_1d, basis points: (close / sma - 1) x 10,000; null during warm-up', true),
  dbl('sma_200_1d', 'SMA(200) of the daily closes of the last 200 completed UTC days; null during warm-up', true, { min: 0 }),
  dbl('dist_sma_200_1d', 'close vs sma_200_1d, basis points: (close / sma - 1) x 10,000; null during warm-up', true),
  dbl(
    'label_ret_1m',
    'LABEL (looks ahead): forward log return ln(close 1 minute after ts / close at ts); null when either 1m bar is missing or ' +
      'flagged',
    true,
  ),
  dbl(
    'label_ret_5m',
    'LABEL (looks ahead): forward log return ln(close 5 minutes after ts / close at ts); null when either 1m bar is missing or ' +
      'flagged',
    true,
  ),
  dbl(
    'label_ret_15m',
    'LABEL (looks ahead): forward log return ln(close 15 minutes after ts / close at ts); null when either 1m bar is missing ' +
      'or flagged',
    true,
  ),
  dbl(
    'label_ret_60m',
    'LABEL (looks ahead): forward log return ln(close 60 minutes after ts / close at ts); null when either 1m bar is missing ' +
      'or flagged',
    true,
  ),
];
