import { FEATURE_TIMEFRAMES, spec } from '../feature-spec';
import type { RowContext, RowFeatureGroup } from './row-types';

/** Category 4 (momentum) across timeframes: +1 per timeframe whose EMA(9) is above its EMA(21), -1 below. */

const specs = [
  spec({
    name: 'trend_alignment_ema_9_21',
    category: 'momentum',
    timeframe: 'multi',
    warmupBars: 20,
    min: -3,
    max: 3,
    definition: 'sum over 1m, 5m and 15m of sign(ema_9 - ema_21): +3 when every timeframe trends up, -3 when all trend down',
  }),
];

function compute(ctx: RowContext): Record<string, Float64Array> {
  const out = new Float64Array(ctx.rows);
  for (const tf of FEATURE_TIMEFRAMES) {
    const fast = ctx.aligned[`ema_9_${tf}`];
    const slow = ctx.aligned[`ema_21_${tf}`];
    for (let m = 0; m < ctx.rows; m++) out[m] += Math.sign(fast[m] - slow[m]);
  }
  return { trend_alignment_ema_9_21: out };
}

export const trendAlignment: RowFeatureGroup = { specs, compute };
