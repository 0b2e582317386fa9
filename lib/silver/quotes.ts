import type { Table } from '../table/table';
import {
  backfilledFlag,
  cleanEvents,
  expectBronze,
  countBackwards,
  sameNum,
  type CleanResult,
  type CleanStats,
} from './clean-common';

/**
 * Silver cleaning of one day of Bronze top-of-book quotes: registry checks, crossed quotes to quarantine, first copy
 * of each update, sorted.
 */

export const QUOTE_REASONS = {
  crossed: 'crossed quote (bid_px >= ask_px)',
} as const;

export interface QuoteCleanStats extends CleanStats {
  /** Times update_id goes backwards in event-time order (counted, not quarantined: each quote is still valid). */
  sequenceBackwards: number;
}

export function cleanQuotes(bronze: Table, dt: string, nowMs: number): CleanResult<QuoteCleanStats> {
  expectBronze(bronze, 'quotes');
  const id = bronze.num('update_id');
  const time = bronze.num('event_time');
  const bidPx = bronze.num('bid_px'),
    askPx = bronze.num('ask_px');
  const bidSz = bronze.num('bid_sz'),
    askSz = bronze.num('ask_sz');

  const result = cleanEvents(bronze, dt, nowMs, {
    name: 'quotes',
    check: (i) => (bidPx[i] >= askPx[i] ? QUOTE_REASONS.crossed : null),
    // Without an update id, sizes count too: the same prices with other sizes at the same time are a distinct
    // update, not a copy.
    dedupeKey: (i) => (id[i] === id[i] ? id[i] : `t${time[i]}`),
    same: (i, j) =>
      id[i] === id[i] ||
      (sameNum(bidPx[i], bidPx[j]) && sameNum(askPx[i], askPx[j]) && sameNum(bidSz[i], bidSz[j]) && sameNum(askSz[i], askSz[j])),
    sortBy: ['event_time', 'update_id'],
    flags: backfilledFlag(bronze),
  });
  const stats: QuoteCleanStats = { ...result.stats, sequenceBackwards: countBackwards(result.silver.num('update_id')) };
  return { ...result, stats };
}
