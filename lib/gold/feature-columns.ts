import { dbl } from '../schema/columns';
import type { ColumnSpec } from '../schema/types';

/**
 * The Gold feature catalogue as column definitions. The registry builds `gold/features_1m` from it and the
 * feature code looks its outputs up here, so a feature's name is written once.
 */

export const FEATURE_TIMEFRAMES = ['1m', '5m', '15m'] as const;
export type FeatureTimeframe = (typeof FEATURE_TIMEFRAMES)[number];

export type FeatureCategory = 'price_action' | 'volume' | 'order_book' | 'momentum' | 'market_structure' | 'perpetuals' | 'daily_context';

export interface FeatureSpec {
  readonly name: string;
  readonly category: FeatureCategory;
  readonly timeframe: FeatureTimeframe | 'daily' | 'none';
  readonly definition: string;
  /** Bars of the feature's timeframe before the first value (TA-Lib's lookback). */
  readonly warmupBars: number;
  readonly min?: number;
  readonly max?: number;
}

/** TA-Lib-defined core indicators, fixed by SPEC §6, for each timeframe. */
function coreFeatures(tf: FeatureTimeframe): FeatureSpec[] {
  const pa = 'price_action' as const;
  return [
    { name: `rsi_14_${tf}`, category: pa, timeframe: tf, warmupBars: 14, min: 0, max: 100,
      definition: 'RSI(14) of closes, Wilder smoothing seeded by the mean of the first 14 changes (TA-Lib RSI)' },
    { name: `macd_${tf}`, category: pa, timeframe: tf, warmupBars: 33,
      definition: 'MACD line: EMA(12) - EMA(26) of closes, EMAs seeded by SMA (TA-Lib MACD 12/26/9)' },
    { name: `macd_signal_${tf}`, category: pa, timeframe: tf, warmupBars: 33,
      definition: 'MACD signal: EMA(9) of the MACD line, seeded by SMA (TA-Lib MACD 12/26/9)' },
    { name: `macd_hist_${tf}`, category: pa, timeframe: tf, warmupBars: 33,
      definition: 'MACD histogram: MACD line - signal (TA-Lib MACD 12/26/9)' },
    { name: `bb_upper_20_${tf}`, category: pa, timeframe: tf, warmupBars: 19, min: 0,
      definition: 'Bollinger upper band: SMA(20) + 2 x population standard deviation of closes (TA-Lib BBANDS)' },
    { name: `bb_middle_20_${tf}`, category: pa, timeframe: tf, warmupBars: 19, min: 0,
      definition: 'Bollinger middle band: SMA(20) of closes (TA-Lib BBANDS)' },
    { name: `bb_lower_20_${tf}`, category: pa, timeframe: tf, warmupBars: 19,
      definition: 'Bollinger lower band: SMA(20) - 2 x population standard deviation of closes (TA-Lib BBANDS)' },
    { name: `atr_14_${tf}`, category: pa, timeframe: tf, warmupBars: 14, min: 0,
      definition: 'Average true range(14), Wilder smoothing seeded by the mean of the first 14 true ranges (TA-Lib ATR)' },
  ];
}

export const FEATURES: readonly FeatureSpec[] = FEATURE_TIMEFRAMES.flatMap(coreFeatures);

export function featureColumns(): ColumnSpec[] {
  return FEATURES.map((f) =>
    dbl(f.name, `${f.definition}; null during warm-up`, true, { ...(f.min !== undefined ? { min: f.min } : {}), ...(f.max !== undefined ? { max: f.max } : {}) }),
  );
}
