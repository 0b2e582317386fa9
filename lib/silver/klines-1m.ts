import { QualityFlag } from '../schema/quality-flags';
import { dataset } from '../schema/registry';
import { validateTable } from '../schema/validate';
import type { Row } from '../schema/types';
import { dayStart } from '../storage/lake-paths';
import { Table, TableBuilder } from '../table/table';
import { revertingSpikeFlags } from './kline-outliers';
import { zeroVolumeFlags, type BarView } from './outages';

/**
 * Silver cleaning of one day of Bronze 1m klines: range checks (bad rows to quarantine), one final version per
 * minute, a full minute grid with single missing minutes interpolated, OHLC logic, zero-volume flags and
 * OUTLIER flags on spikes that revert (./kline-outliers.ts).
 */

export const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

export interface KlineCleanStats {
  rowsIn: number;
  outsideDay: number;
  quarantined: number;
  duplicates: number;
  kept: number;
  filled: number;
  expected: number;
  /** Minutes with a real (not interpolated) bar. */
  present: number;
  missing: number;
  missingRanges: [number, number][];
  flagged: Record<string, number>;
}

export interface KlineCleanResult {
  silver: Table;
  quarantine: Table;
  stats: KlineCleanStats;
}

/** Version preference: closed WebSocket bar > archive > closed REST bar > any unclosed update. */
function rank(source: string | null, closed: boolean | null): number {
  if (!closed) return 1;
  return source === 'ws' ? 4 : source === 'archive' ? 3 : source === 'rest' ? 2 : 1;
}

export function cleanKlines1m(bronze: Table, dt: string, nowMs: number): KlineCleanResult {
  const silverSpec = dataset('silver', 'klines');
  const qSpec = dataset('quarantine', 'klines');
  const start = dayStart(dt);
  const end = start + DAY_MINUTES * MINUTE_MS;
  const openTime = bronze.num('open_time');
  const source = bronze.str('source');
  const closed = bronze.bool('is_closed');
  const eventTime = bronze.num('event_time');
  const ingest = bronze.num('ingest_time');

  const stats: KlineCleanStats = {
    rowsIn: 0, outsideDay: 0, quarantined: 0, duplicates: 0, kept: 0, filled: 0, expected: DAY_MINUTES,
    present: 0, missing: 0, missingRanges: [], flagged: {},
  };
  const bad = validateTable(bronze);
  const quarantine = new TableBuilder(qSpec, 16);
  const best = new Int32Array(DAY_MINUTES).fill(-1);

  for (let i = 0; i < bronze.length; i++) {
    const t = openTime[i];
    if (!(t >= start && t < end)) { stats.outsideDay++; continue; }
    stats.rowsIn++;
    const reason = bad.get(i) ?? (t % MINUTE_MS !== 0 ? 'open_time is not on the minute grid' : undefined);
    if (reason) {
      quarantine.push({ ...bronze.row(i), quarantine_reason: reason, quarantined_at: nowMs });
      stats.quarantined++;
      continue;
    }
    const m = (t - start) / MINUTE_MS;
    const cur = best[m];
    if (cur < 0) { best[m] = i; continue; }
    stats.duplicates++;
    const better =
      rank(source[i], closed[i]) - rank(source[cur], closed[cur]) ||
      (eventTime[i] || 0) - (eventTime[cur] || 0) ||
      ingest[i] - ingest[cur];
    if (better > 0) best[m] = i;
  }

  const bars: (BarView | null)[] = Array.from(best, (i) =>
    i < 0 ? null : {
      open: bronze.num('open')[i], high: bronze.num('high')[i], low: bronze.num('low')[i], close: bronze.num('close')[i],
      volume: bronze.num('volume')[i], tradeCount: bronze.num('trade_count')[i],
    });
  const zeroFlags = zeroVolumeFlags(bars);
  const spikeFlags = revertingSpikeFlags(bars);

  const out = new TableBuilder(silverSpec, DAY_MINUTES);
  const flagged: Record<string, number> = {};
  const count = (name: string) => { flagged[name] = (flagged[name] ?? 0) + 1; };
  let gapStart = -1;
  for (let m = 0; m < DAY_MINUTES; m++) {
    const i = best[m];
    const t = start + m * MINUTE_MS;
    if (i >= 0) {
      const r = bronze.row(i);
      let flags = zeroFlags[m] | spikeFlags[m];
      const o = r.open as number, h = r.high as number, l = r.low as number, c = r.close as number;
      if (l > Math.min(o, c) || h < Math.max(o, c) || l > h) flags |= QualityFlag.INVALID_OHLC;
      if (!r.is_closed) flags |= QualityFlag.INCOMPLETE;
      if (r.source === 'rest') flags |= QualityFlag.BACKFILLED;
      for (const [name, bit] of Object.entries(QualityFlag)) if (flags & bit) count(name);
      out.push({ ...r, quality_flags: flags });
      stats.present++;
      continue;
    }
    // A single missing minute between two bars is interpolated; longer gaps stay missing and are reported.
    const prev = m > 0 ? best[m - 1] : -1;
    const next = m + 1 < DAY_MINUTES ? best[m + 1] : -1;
    if (prev >= 0 && next >= 0) {
      out.push(filledBar(bronze.row(prev), bronze.row(next), t));
      stats.filled++;
      count('FILLED');
      continue;
    }
    stats.missing++;
    if (gapStart < 0) gapStart = t;
    if (m + 1 === DAY_MINUTES || best[m + 1] >= 0) {
      stats.missingRanges.push([gapStart, t]);
      gapStart = -1;
    }
  }
  stats.kept = out.length;
  stats.flagged = flagged;
  return { silver: out.build(), quarantine: quarantine.build(), stats };
}

function filledBar(prev: Row, next: Row, t: number): Row {
  const open = prev.close as number;
  const close = next.open as number;
  return {
    open_time: t, close_time: t + MINUTE_MS - 1, open, close, high: Math.max(open, close), low: Math.min(open, close),
    volume: 0, quote_volume: 0, trade_count: 0, taker_buy_volume: 0, taker_buy_quote_volume: 0, is_closed: true,
    event_time: null, base: prev.base, quote: prev.quote, ingest_time: null, source: 'filled', quality_flags: QualityFlag.FILLED,
  };
}
