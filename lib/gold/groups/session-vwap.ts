import { spec } from '../feature-spec';
import type { RowContext, RowFeatureGroup } from './row-types';

/** Category 2 (volume), anchored VWAP of the UTC day so far: it restarts at midnight, so no warm-up reaches back. */

const DAY = 86_400_000;

const specs = [
  spec({
    name: 'vwap_session_1m',
    category: 'volume',
    timeframe: '1m',
    warmupBars: 0,
    min: 0,
    required: false,
    definition:
      "VWAP of the UTC day's 1m bars up to and including the row's; quote volume is typical price x volume where missing; " +
      'null until the day has traded',
  }),
  spec({
    name: 'vwap_session_dist_1m',
    category: 'volume',
    timeframe: '1m',
    warmupBars: 0,
    required: false,
    definition: 'close vs vwap_session_1m, basis points',
  }),
];

function compute(ctx: RowContext): Record<string, Float64Array> {
  const series = ctx.oneMinute;
  const vwap = new Float64Array(ctx.rows).fill(NaN);
  const dist = new Float64Array(ctx.rows).fill(NaN);
  let day = NaN;
  let q = 0;
  let v = 0;
  for (let i = 0; i < series.length; i++) {
    const t = series.openTime[i];
    const d = Math.floor(t / DAY);
    if (d !== day) {
      day = d;
      q = 0;
      v = 0;
    }
    q += Number.isNaN(series.quoteVolume[i])
      ? ((series.high[i] + series.low[i] + series.close[i]) / 3) * series.volume[i]
      : series.quoteVolume[i];
    v += series.volume[i];
    const m = (t - ctx.from) / 60_000;
    if (m < 0 || m >= ctx.rows) continue;
    if (v > 0) {
      vwap[m] = q / v;
      dist[m] = (series.close[i] / vwap[m] - 1) * 10_000;
    }
  }
  return { vwap_session_1m: vwap, vwap_session_dist_1m: dist };
}

export const sessionVwap: RowFeatureGroup = { specs, compute };
