import { dataset } from '../schema/registry';
import type { Table } from '../table/table';
import { FEATURES } from './feature-columns';

/**
 * Feature validity (SPEC G3): values must be finite and inside the documented range. Nulls are allowed (warm-up
 * and missing inputs) and counted separately; NaN cannot reach a file because NaN is written as null, so an
 * invalid value here means an infinity or an out-of-range number.
 */

export interface FeatureValidity {
  checked: number;
  nulls: number;
  invalid: number;
  byFeature: Record<string, { nulls: number; invalid: number }>;
}

export function validateFeatures(t: Table): FeatureValidity {
  const spec = dataset('gold', 'features_1m');
  const v: FeatureValidity = { checked: 0, nulls: 0, invalid: 0, byFeature: {} };
  for (const f of FEATURES) {
    const col = spec.columns.find((c) => c.name === f.name)!;
    const data = t.num(f.name);
    let nulls = 0;
    let invalid = 0;
    for (let i = 0; i < t.length; i++) {
      const x = data[i];
      v.checked++;
      if (Number.isNaN(x)) { nulls++; continue; }
      if (!Number.isFinite(x) || (col.min !== undefined && x < col.min) || (col.max !== undefined && x > col.max)) invalid++;
    }
    v.nulls += nulls;
    v.invalid += invalid;
    if (nulls || invalid) v.byFeature[f.name] = { nulls, invalid };
  }
  return v;
}
