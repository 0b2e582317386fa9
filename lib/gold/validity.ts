import { dataset } from '../schema/registry';
import type { Table } from '../table/table';
import { FEATURES } from './feature-columns';

/**
 * Feature validity (docs/features.md, the "valid range" and "required" columns): values must be finite and inside
 * the documented range, and a required feature must not go null again once warmed up while its row's candle is
 * present. Nulls are allowed in the warm-up and where inputs are missing, and counted separately; NaN cannot reach
 * a file because NaN is written as null, so an invalid value here means an infinity or an out-of-range number.
 */

export interface FeatureValidity {
  checked: number;
  nulls: number;
  invalid: number;
  /** Nulls of required features after their first value, on rows whose 1m candle is present: a bug, not warm-up. */
  unexpectedNulls: number;
  byFeature: Record<string, { nulls: number; invalid: number; unexpectedNulls: number }>;
}

export function validateFeatures(table: Table): FeatureValidity {
  const spec = dataset('gold', 'features_1m');
  const v: FeatureValidity = { checked: 0, nulls: 0, invalid: 0, unexpectedNulls: 0, byFeature: {} };
  const close = table.num('close');
  for (const feature of FEATURES) {
    const col = spec.columns.find((c) => c.name === feature.name)!;
    const data = table.num(feature.name);
    let nulls = 0;
    let invalid = 0;
    let unexpectedNulls = 0;
    let seen = false;
    for (let i = 0; i < table.length; i++) {
      const x = data[i];
      v.checked++;
      if (Number.isNaN(x)) {
        nulls++;
        if (seen && feature.required && !Number.isNaN(close[i])) unexpectedNulls++;
        continue;
      }
      seen = true;
      if (!Number.isFinite(x) || (col.min !== undefined && x < col.min) || (col.max !== undefined && x > col.max)) invalid++;
    }
    v.nulls += nulls;
    v.invalid += invalid;
    v.unexpectedNulls += unexpectedNulls;
    if (nulls || invalid) v.byFeature[feature.name] = { nulls, invalid, unexpectedNulls };
  }
  return v;
}
