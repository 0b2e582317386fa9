/** What the catalogue says of one Gold feature column; docs/features.md is generated from these. */

export const FEATURE_TIMEFRAMES = ['1m', '5m', '15m'] as const;
export type FeatureTimeframe = (typeof FEATURE_TIMEFRAMES)[number];

export const FEATURE_CATEGORIES = [
  'price_action',
  'volume',
  'order_book',
  'momentum',
  'market_structure',
  'perpetuals',
  'daily_context',
] as const;
export type FeatureCategory = (typeof FEATURE_CATEGORIES)[number];

export interface FeatureSpec {
  readonly name: string;
  readonly category: FeatureCategory;
  /**
   * The bars the feature is computed on: a feature timeframe, whole UTC days, events (book snapshots,
   * funding, open interest, liquidations) up to ts, or several timeframes at once.
   */
  readonly timeframe: FeatureTimeframe | '1d' | 'events' | 'multi';
  readonly definition: string;
  /** Bars of `timeframe` (minutes for `events`) before the first value can exist. */
  readonly warmupBars: number;
  readonly min?: number;
  readonly max?: number;
  /**
   * Whether `data_ok` needs this feature present. Price-derived features are; features whose inputs some
   * markets never have (taker volume, order book, perpetuals, 200 days of history) are not: where a market needs
   * the order book or a perpetual, ../data-ok.ts makes data_ok depend on the input itself.
   */
  readonly required: boolean;
}

export interface LabelSpec {
  readonly name: string;
  readonly definition: string;
  /** Minutes after `ts` the label looks at. */
  readonly horizonMinutes: number;
}

/** A spec with `required` defaulting to true, so groups only mark the exceptions. */
export function spec(s: Omit<FeatureSpec, 'required'> & { required?: boolean }): FeatureSpec {
  return { required: true, ...s };
}
