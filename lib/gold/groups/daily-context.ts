import { deriveBars } from '../../silver/derive-klines';
import { latestClosedIndex } from '../align';
import { GoldInput } from '../data-ok';
import { spec } from '../feature-spec';
import { windowMean } from '../windows';
import type { RowContext, RowFeatureGroup } from './row-types';

/**
 * Category 7, daily context: SMAs of daily closes over completed UTC days only (a day counts once its candle
 * has closed at or before ts, the same rule as every timeframe), and the close's distance to them.
 */

const DAY = 86_400_000;
const PERIODS = [7, 30, 200] as const;

const specs = PERIODS.flatMap((p) => [
  spec({
    name: `sma_${p}_1d`,
    category: 'daily_context',
    timeframe: '1d',
    warmupBars: p - 1,
    min: 0,
    required: false,
    definition: `SMA(${p}) of the daily closes of the last ${p} completed UTC days`,
  }),
  spec({
    name: `dist_sma_${p}_1d`,
    category: 'daily_context',
    timeframe: '1d',
    warmupBars: p - 1,
    required: false,
    definition: `close vs sma_${p}_1d, basis points: (close / sma - 1) x 10,000`,
  }),
]);

function compute(ctx: RowContext): Record<string, Float64Array> {
  const daily = ctx.inputs.daily ?? null;
  let open: Float64Array;
  let close: Float64Array;
  if (daily) {
    open = daily.num('open_time');
    close = daily.num('close');
  } else {
    const rows = deriveBars(ctx.inputs.klines1m, '1d');
    open = Float64Array.from(rows, (r) => r.open_time as number);
    close = Float64Array.from(rows, (r) => r.close as number);
  }
  const idx = latestClosedIndex(open, DAY, ctx.ts);
  for (let m = 0; m < ctx.rows; m++) {
    const j = idx[m];
    if (j >= 0 && open[j] + DAY === Math.floor(ctx.ts[m] / DAY) * DAY) ctx.usable[m] |= GoldInput.DAILY;
  }
  const rowClose = ctx.aligned.close;
  const out: Record<string, Float64Array> = {};
  for (const p of PERIODS) {
    const sma = windowMean(close, p);
    const value = new Float64Array(ctx.rows).fill(NaN);
    const dist = new Float64Array(ctx.rows).fill(NaN);
    for (let m = 0; m < ctx.rows; m++) {
      const j = idx[m];
      if (j < 0) continue;
      value[m] = sma[j];
      if (sma[j] > 0) dist[m] = (rowClose[m] / sma[j] - 1) * 10_000;
    }
    out[`sma_${p}_1d`] = value;
    out[`dist_sma_${p}_1d`] = dist;
  }
  return out;
}

export const dailyContext: RowFeatureGroup = { specs, compute };
