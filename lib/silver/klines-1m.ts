import { QualityFlag } from '../schema/quality-flags';
import { dataset } from '../schema/registry';
import { validateTable } from '../schema/validate';
import type { Row } from '../schema/types';
import { dayStart } from '../storage/lake-paths';
import { Table, TableBuilder } from '../table/table';
import { revertingSpikeFlags } from './kline-outliers';
import { zeroVolumeFlags, type BarView } from './outages';
import { MINUTE_MS } from '../util/time';

/**
 * Silver cleaning of one day of Bronze 1m klines: range checks (bad rows to quarantine), one final version per
 * minute, a full minute grid with single missing minutes interpolated, OHLC logic, zero-volume flags,
 * OUTLIER flags on spikes that revert (./kline-outliers.ts) and SOURCE_CONFLICT where sources disagree.
 */

const DAY_MINUTES = 1440;

/**
 * When two closed versions of a minute disagree. The exchanges' WebSocket, REST and archive bars of a closed
 * minute are the same numbers (the real archives and REST rows agree exactly), so any difference beyond float
 * noise means one source is wrong, e.g. another symbol's archive imported under this one.
 */
export const CONFLICT_RULES = {
  /** Relative difference of open, high, low or close beyond which two versions disagree. */
  priceRelTol: 1e-6,
  /** Relative difference of volume beyond which they disagree... */
  volumeRelTol: 1e-6,
  /** ...when it is also above this (volumes printed with 8 decimals round differently). */
  volumeAbsTol: 1e-8,
  /** Minutes listed in the report as examples. */
  samples: 5,
} as const;

/** One minute where sources disagree: the version kept and the first other version that differs from it. */
export interface SourceConflict {
  open_time: number;
  kept: { source: string; close: number };
  other: { source: string; close: number };
}

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
  /** Minutes whose closed versions from different sources (or copies) differ beyond CONFLICT_RULES. */
  conflicts: number;
  /** The first few of those minutes, with both versions' closes. */
  conflictSamples: SourceConflict[];
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
    rowsIn: 0,
    outsideDay: 0,
    quarantined: 0,
    duplicates: 0,
    kept: 0,
    filled: 0,
    expected: DAY_MINUTES,
    present: 0,
    missing: 0,
    missingRanges: [],
    flagged: {},
    conflicts: 0,
    conflictSamples: [],
  };
  const bad = validateTable(bronze);
  const quarantine = new TableBuilder(qSpec, 16);
  const best = new Int32Array(DAY_MINUTES).fill(-1);
  const usable = new Uint8Array(bronze.length);

  for (let i = 0; i < bronze.length; i++) {
    const t = openTime[i];
    if (!(t >= start && t < end)) {
      stats.outsideDay++;
      continue;
    }
    stats.rowsIn++;
    const reason = bad.get(i) ?? (t % MINUTE_MS !== 0 ? 'open_time is not on the minute grid' : undefined);
    if (reason) {
      quarantine.push({ ...bronze.row(i), quarantine_reason: reason, quarantined_at: nowMs });
      stats.quarantined++;
      continue;
    }
    const m = (t - start) / MINUTE_MS;
    usable[i] = 1;
    const cur = best[m];
    if (cur < 0) {
      best[m] = i;
      continue;
    }
    stats.duplicates++;
    const better =
      rank(source[i], closed[i]) - rank(source[cur], closed[cur]) ||
      (eventTime[i] || 0) - (eventTime[cur] || 0) ||
      ingest[i] - ingest[cur];
    if (better > 0) best[m] = i;
  }

  const bars: (BarView | null)[] = Array.from(best, (i) =>
    i < 0
      ? null
      : {
          open: bronze.num('open')[i],
          high: bronze.num('high')[i],
          low: bronze.num('low')[i],
          close: bronze.num('close')[i],
          volume: bronze.num('volume')[i],
          tradeCount: bronze.num('trade_count')[i],
        },
  );
  const conflictWith = sourceConflicts(bronze, usable, best, start);
  const zeroFlags = zeroVolumeFlags(bars);
  const spikeFlags = revertingSpikeFlags(bars);

  const out = new TableBuilder(silverSpec, DAY_MINUTES);
  const flagged: Record<string, number> = {};
  const count = (name: string) => {
    flagged[name] = (flagged[name] ?? 0) + 1;
  };
  let gapStart = -1;
  for (let m = 0; m < DAY_MINUTES; m++) {
    const i = best[m];
    const t = start + m * MINUTE_MS;
    if (i >= 0) {
      const r = bronze.row(i);
      let flags = zeroFlags[m] | spikeFlags[m];
      const o = r.open as number,
        h = r.high as number,
        l = r.low as number,
        c = r.close as number;
      if (l > Math.min(o, c) || h < Math.max(o, c) || l > h) flags |= QualityFlag.INVALID_OHLC;
      if (!r.is_closed) flags |= QualityFlag.INCOMPLETE;
      if (r.source === 'rest') flags |= QualityFlag.BACKFILLED;
      if (conflictWith[m] >= 0) {
        flags |= QualityFlag.SOURCE_CONFLICT;
        stats.conflicts++;
        if (stats.conflictSamples.length < CONFLICT_RULES.samples) {
          const o = conflictWith[m];
          stats.conflictSamples.push({
            open_time: t,
            kept: { source: String(r.source), close: r.close as number },
            other: { source: String(source[o]), close: bronze.num('close')[o] },
          });
        }
      }
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

/**
 * For each minute, a closed row that differs from the minute's kept (closed) row beyond CONFLICT_RULES, or -1.
 * In-progress updates are not compared: they differ from the final bar by nature.
 */
function sourceConflicts(bronze: Table, usable: Uint8Array, best: Int32Array, start: number): Int32Array {
  const out = new Int32Array(DAY_MINUTES).fill(-1);
  const closed = bronze.bool('is_closed');
  const openTime = bronze.num('open_time');
  const prices = (['open', 'high', 'low', 'close'] as const).map((c) => bronze.num(c));
  const volume = bronze.num('volume');
  const apart = (a: number, b: number, rel: number, abs = 0) =>
    Math.abs(a - b) > Math.max(rel * Math.max(Math.abs(a), Math.abs(b)), abs);
  for (let i = 0; i < bronze.length; i++) {
    if (!usable[i] || !closed[i]) continue;
    const m = (openTime[i] - start) / MINUTE_MS;
    const k = best[m];
    if (k === i || out[m] >= 0 || !closed[k]) continue;
    if (
      prices.some((p) => apart(p[i], p[k], CONFLICT_RULES.priceRelTol)) ||
      apart(volume[i], volume[k], CONFLICT_RULES.volumeRelTol, CONFLICT_RULES.volumeAbsTol)
    )
      out[m] = i;
  }
  return out;
}

function filledBar(prev: Row, next: Row, t: number): Row {
  const open = prev.close as number;
  const close = next.open as number;
  return {
    open_time: t,
    close_time: t + MINUTE_MS - 1,
    open,
    close,
    high: Math.max(open, close),
    low: Math.min(open, close),
    volume: 0,
    quote_volume: 0,
    trade_count: 0,
    taker_buy_volume: 0,
    taker_buy_quote_volume: 0,
    is_closed: true,
    event_time: null,
    base: prev.base,
    quote: prev.quote,
    ingest_time: null,
    source: 'filled',
    quality_flags: QualityFlag.FILLED,
  };
}
