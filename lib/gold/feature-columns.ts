import { dbl } from '../schema/columns';
import type { ColumnSpec } from '../schema/types';
import { FEATURE_TIMEFRAMES, type FeatureSpec, type LabelSpec } from './feature-spec';
import { dailyContext } from './groups/daily-context';
import { marketStructure } from './groups/market-structure';
import { momentum } from './groups/momentum';
import { orderBook } from './groups/order-book';
import { perpetuals } from './groups/perpetuals';
import { priceAction } from './groups/price-action';
import type { RowFeatureGroup } from './groups/row-types';
import { sessionVwap } from './groups/session-vwap';
import { trendAlignment } from './groups/trend-alignment';
import type { BarFeatureGroup } from './groups/types';
import { volume } from './groups/volume';

/**
 * The Gold feature catalogue. The registry's `gold/features_1m` columns are generated from it into
 * lib/schema/gold-feature-columns.ts (`npm run gen:gold-columns`), the feature code computes exactly these names
 * (tests hold all three equal), and docs/features.md is generated from it (`lakehouse features`).
 */

export {
  FEATURE_TIMEFRAMES,
  type FeatureTimeframe,
  type FeatureSpec,
  type FeatureCategory,
  type LabelSpec,
} from './feature-spec';

/** Bar groups run per timeframe, in this order; row groups run after them and may read their aligned values. */
export const BAR_GROUPS: readonly BarFeatureGroup[] = [priceAction, volume, momentum, marketStructure];
export const ROW_GROUPS: readonly RowFeatureGroup[] = [sessionVwap, trendAlignment, orderBook, perpetuals, dailyContext];

export const FEATURES: readonly FeatureSpec[] = [
  ...BAR_GROUPS.flatMap((g) => FEATURE_TIMEFRAMES.flatMap((tf) => g.specs(tf))),
  ...ROW_GROUPS.flatMap((g) => g.specs),
];

export const LABEL_HORIZONS = [1, 5, 15, 60] as const;

/** Training targets: the only columns allowed to look past ts. */
export const LABELS: readonly LabelSpec[] = LABEL_HORIZONS.map((h) => ({
  name: `label_ret_${h}m`,
  horizonMinutes: h,
  definition:
    `forward log return ln(close ${h} minute${h > 1 ? 's' : ''} after ts / close at ts); null when either 1m bar is ` +
    `missing or flagged`,
}));

export function featureColumns(): ColumnSpec[] {
  return [
    ...FEATURES.map((f) =>
      dbl(f.name, `${f.definition}; null during warm-up`, true, {
        ...(f.min !== undefined ? { min: f.min } : {}),
        ...(f.max !== undefined ? { max: f.max } : {}),
      }),
    ),
    ...LABELS.map((l) => dbl(l.name, `LABEL (looks ahead): ${l.definition}`, true)),
  ];
}
