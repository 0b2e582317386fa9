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
 * Silver cleaning of one day of Bronze top-10 book snapshots: registry checks and book logic (crossed or
 * disordered books go to quarantine), first copy of each snapshot, sorted by event time then update id.
 */

export const BOOK_LEVELS = 10;

export const BOOK_REASONS = {
  crossed: 'crossed book (best bid >= best ask)',
  bids: 'bid prices not strictly descending',
  asks: 'ask prices not strictly ascending',
  size: 'non-positive size',
  half: 'book level with only one of price and size',
  gap: 'gap between book levels',
} as const;

export interface BookCleanStats extends CleanStats {
  /**
   * Times last_update_id goes backwards in event-time order: a reconnect mixing two connections' snapshots or
   * a clock problem in the receive time that Binance spot uses as event time. Counted, not quarantined, since
   * each snapshot is still a valid book.
   */
  sequenceBackwards: number;
}

export function cleanBookTop10(bronze: Table, dt: string, nowMs: number): CleanResult<BookCleanStats> {
  expectBronze(bronze, 'book_top10');
  const level = (name: string) => Array.from({ length: BOOK_LEVELS }, (_, k) => bronze.num(`${name}_${k + 1}`));
  const [bidPx, bidSz, askPx, askSz] = ['bid_px', 'bid_sz', 'ask_px', 'ask_sz'].map(level);
  const all = [...bidPx, ...bidSz, ...askPx, ...askSz];
  const id = bronze.num('last_update_id');
  const time = bronze.num('event_time');

  const sideProblem = (px: Float64Array[], sz: Float64Array[], i: number, descending: boolean): string | null => {
    let ended = false;
    let prev = NaN;
    for (let k = 0; k < BOOK_LEVELS; k++) {
      const p = px[k][i],
        s = sz[k][i];
      const hasP = p === p,
        hasS = s === s;
      if (hasP !== hasS) return BOOK_REASONS.half;
      if (!hasP) {
        ended = true;
        continue;
      }
      if (ended) return BOOK_REASONS.gap;
      if (!(s > 0)) return BOOK_REASONS.size;
      if (k > 0 && (descending ? !(p < prev) : !(p > prev))) return descending ? BOOK_REASONS.bids : BOOK_REASONS.asks;
      prev = p;
    }
    return null;
  };

  const result = cleanEvents(bronze, dt, nowMs, {
    name: 'book_top10',
    check: (i) => {
      const b = bidPx[0][i],
        a = askPx[0][i];
      // An empty side cannot cross; a thin one is still a valid book.
      if (b === b && a === a && b >= a) return BOOK_REASONS.crossed;
      return sideProblem(bidPx, bidSz, i, true) ?? sideProblem(askPx, askSz, i, false);
    },
    // With an update id the id identifies the snapshot (Binance spot stamps the receive time as event time, so
    // two connections' copies differ there); without one (Kraken) equal time and equal levels do.
    dedupeKey: (i) => (id[i] === id[i] ? id[i] : `t${time[i]}`),
    same: (i, j) => {
      if (id[i] === id[i]) return true;
      for (const c of all) if (!sameNum(c[i], c[j])) return false;
      return true;
    },
    sortBy: ['event_time', 'last_update_id'],
    flags: backfilledFlag(bronze),
  });
  const stats: BookCleanStats = { ...result.stats, sequenceBackwards: countBackwards(result.silver.num('last_update_id')) };
  return { ...result, stats };
}
