import type { Table } from '../../table/table';
import { lowerBound } from '../../util/lower-bound';
import { GoldInput, PERPETUAL_STALE_MS as STALE_MS } from '../data-ok';
import { spec } from '../feature-spec';
import type { RowContext, RowFeatureGroup } from './row-types';

/**
 * Category 6, perpetuals, from the USD-M perpetual mapped to the row's symbol (see ../perp-mapping.ts): every
 * input is an event strictly before ts. A reading older than PERPETUAL_STALE_MS (../data-ok.ts) counts as missing,
 * so a dead stream shows up as nulls rather than as an hours-old funding rate.
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;

const pf = (name: string, definition: string, warmupBars: number, range: { min?: number; max?: number } = {}) =>
  spec({ name, category: 'perpetuals', timeframe: 'events', definition, warmupBars, required: false, ...range });

const specs = [
  pf('funding_rate', 'latest funding rate of the perpetual (per funding interval) known before ts', 0, { min: -1, max: 1 }),
  pf('funding_rate_change_1h', 'funding_rate minus the funding rate known one hour earlier', 60, { min: -2, max: 2 }),
  pf('mark_premium_bps', 'latest (mark price - index price) / index price, basis points', 0),
  pf('oi_change_pct_5m', 'open interest change over 5 minutes, percent: 100 x (latest / latest 5 minutes earlier - 1)', 5, {
    min: -100,
  }),
  pf('oi_change_pct_1h', 'open interest change over 1 hour, percent', 60, { min: -100 }),
  pf('liq_count_1h', 'liquidation orders in the hour before ts', 60, { min: 0 }),
  pf(
    'liq_notional_1h',
    'notional (average fill price x filled quantity, else price x quantity) liquidated in the hour before ts',
    60,
    { min: 0 },
  ),
  pf('liq_long_notional_1h', 'notional of longs liquidated (SELL orders) in the hour before ts', 60, { min: 0 }),
  pf('liq_short_notional_1h', 'notional of shorts liquidated (BUY orders) in the hour before ts', 60, { min: 0 }),
];

/** Index of the latest event strictly before `t` and no older than STALE_MS, or -1; `time` sorted. */
function latestBefore(time: Float64Array, t: number): number {
  const i = lowerBound(time, t) - 1;
  return i >= 0 && t - time[i] <= STALE_MS ? i : -1;
}

function sorted(table: Table | null | undefined): Table | null {
  if (!table || table.length === 0) return null;
  const time = table.num('event_time');
  for (let i = 1; i < table.length; i++)
    if (time[i] < time[i - 1]) return table.take(Array.from(time.keys()).sort((a, b) => time[a] - time[b]));
  return table;
}

function compute(ctx: RowContext): Record<string, Float64Array> {
  const n = ctx.rows;
  const out: Record<string, Float64Array> = Object.fromEntries(specs.map((s) => [s.name, new Float64Array(n).fill(NaN)]));
  const { ts } = ctx;

  const funding = sorted(ctx.inputs.funding);
  if (funding) {
    const time = funding.num('event_time');
    const rate = funding.num('funding_rate');
    const mark = funding.num('mark_price');
    const index = funding.num('index_price');
    for (let m = 0; m < n; m++) {
      const i = latestBefore(time, ts[m]);
      if (i < 0) continue;
      ctx.usable[m] |= GoldInput.FUNDING;
      out.funding_rate[m] = rate[i];
      if (index[i] > 0) out.mark_premium_bps[m] = ((mark[i] - index[i]) / index[i]) * 10_000;
      const j = latestBefore(time, ts[m] - HOUR);
      if (j >= 0) out.funding_rate_change_1h[m] = rate[i] - rate[j];
    }
  }

  const oi = sorted(ctx.inputs.openInterest);
  if (oi) {
    const time = oi.num('event_time');
    const value = oi.num('open_interest');
    for (let m = 0; m < n; m++) {
      const i = latestBefore(time, ts[m]);
      if (i < 0) continue;
      ctx.usable[m] |= GoldInput.OPEN_INTEREST;
      for (const [name, back] of [
        ['oi_change_pct_5m', 5 * MINUTE],
        ['oi_change_pct_1h', HOUR],
      ] as const) {
        const j = latestBefore(time, ts[m] - back);
        if (j >= 0 && value[j] > 0) out[name][m] = (value[i] / value[j] - 1) * 100;
      }
    }
  }

  // An empty liquidations table means the stream was collected and nothing was liquidated (zeros); null, not collected.
  const liq = ctx.inputs.liquidations ? (sorted(ctx.inputs.liquidations) ?? ctx.inputs.liquidations) : null;
  if (liq) {
    const time = liq.num('event_time');
    const side = liq.str('side');
    const [price, qty, avg, filled] = ['price', 'qty', 'avg_price', 'filled_qty'].map((c) => liq.num(c));
    const notional = Float64Array.from({ length: liq.length }, (_, i) =>
      avg[i] > 0 && filled[i] > 0 ? avg[i] * filled[i] : price[i] * qty[i],
    );
    let start = 0;
    let end = 0;
    for (let m = 0; m < n; m++) {
      while (end < liq.length && time[end] < ts[m]) end++;
      while (start < end && time[start] < ts[m] - HOUR) start++;
      // Summed afresh per row (windows hold a handful of events) so a value never depends on where a run started.
      let all = 0;
      let long = 0;
      let short = 0;
      for (let i = start; i < end; i++) {
        all += notional[i];
        if (side[i] === 'SELL') long += notional[i];
        else short += notional[i];
      }
      ctx.usable[m] |= GoldInput.LIQUIDATIONS;
      out.liq_count_1h[m] = end - start;
      out.liq_notional_1h[m] = all;
      out.liq_long_notional_1h[m] = long;
      out.liq_short_notional_1h[m] = short;
    }
  }
  return out;
}

export const perpetuals: RowFeatureGroup = { specs, compute };
