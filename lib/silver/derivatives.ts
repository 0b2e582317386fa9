import type { Table } from '../table/table';
import { backfilledFlag, cleanEvents, expectBronze, sameNum, type CleanResult, type CleanStats } from './clean-common';

/**
 * Silver cleaning of the perpetual-futures datasets: funding (mark price stream), open interest (REST poll)
 * and liquidations (force-order stream). Range rules (funding rate within ±1, open interest ≥ 0) come from the
 * registry validator; the rest is one row per key, sorted by event time.
 */

const byTime = (bronze: Table): ((i: number) => number) => {
  const t = bronze.num('event_time');
  return (i) => t[i];
};

export interface FundingCleanStats extends CleanStats {
  /** Distinct next_funding_time values among the kept rows: the funding settlements the day's stream announced. */
  settlements: number;
}

export function cleanFunding(bronze: Table, dt: string, nowMs: number): CleanResult<FundingCleanStats> {
  const result = cleanEvents(bronze, dt, nowMs, {
    name: 'funding',
    dedupeKey: byTime(bronze),
    sortBy: ['event_time'],
    flags: backfilledFlag(bronze),
  });
  const next = result.silver.num('next_funding_time');
  const seen = new Set<number>();
  for (let i = 0; i < next.length; i++) if (next[i] === next[i]) seen.add(next[i]);
  return { ...result, stats: { ...result.stats, settlements: seen.size } };
}

export interface OpenInterestCleanStats extends CleanStats {
  readings: number;
  firstReading: number | null;
  lastReading: number | null;
  /** Largest time between consecutive readings (null with fewer than two): polling gaps for the quality report. */
  maxIntervalMs: number | null;
}

export function cleanOpenInterest(bronze: Table, dt: string, nowMs: number): CleanResult<OpenInterestCleanStats> {
  // Open interest is polled over REST by design, so source 'rest' is normal here and not BACKFILLED.
  const result = cleanEvents(bronze, dt, nowMs, {
    name: 'open_interest',
    dedupeKey: byTime(bronze),
    sortBy: ['event_time'],
  });
  const t = result.silver.num('event_time');
  let maxIntervalMs: number | null = null;
  for (let i = 1; i < t.length; i++) maxIntervalMs = Math.max(maxIntervalMs ?? 0, t[i] - t[i - 1]);
  return {
    ...result,
    stats: {
      ...result.stats,
      readings: t.length,
      maxIntervalMs,
      firstReading: t.length ? t[0] : null,
      lastReading: t.length ? t[t.length - 1] : null,
    },
  };
}

/**
 * Liquidation counts and volumes from this dataset are lower bounds: Binance's force-order stream sends at
 * most one liquidation per symbol per second (the latest), so bursts within a second are under-reported.
 */
export function cleanLiquidations(bronze: Table, dt: string, nowMs: number): CleanResult {
  expectBronze(bronze, 'liquidations');
  const side = bronze.str('side');
  const price = bronze.num('price');
  const qty = bronze.num('qty');
  return cleanEvents(bronze, dt, nowMs, {
    name: 'liquidations',
    dedupeKey: byTime(bronze),
    same: (i, j) => side[i] === side[j] && sameNum(price[i], price[j]) && sameNum(qty[i], qty[j]),
    sortBy: ['event_time', 'price'],
    flags: backfilledFlag(bronze),
  });
}
