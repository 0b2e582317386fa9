import { krakenBookChecksum, type BookLevelText } from './book-checksum';

/**
 * One symbol's order book as a Kraken client must keep it: levels replaced by price, a zero quantity removes
 * the level, and each side truncated to the subscribed depth after every message (Kraken sends no delete for a
 * level pushed out of range). The decimal text of each level is kept for the checksum.
 */

export interface BookLevel extends BookLevelText {
  /** Numeric price, for ordering and rows. */
  px: number;
  sz: number;
}

export type BookSide = 'bid' | 'ask';

export class KrakenBook {
  /** Best (highest) first. */
  readonly bids: BookLevel[] = [];
  /** Best (lowest) first. */
  readonly asks: BookLevel[] = [];

  constructor(readonly depth: number) {}

  /** Insert, replace or (qty 0) remove a level. */
  set(side: BookSide, level: BookLevel): void {
    const levels = side === 'bid' ? this.bids : this.asks;
    const i = this.search(levels, level.px, side === 'bid');
    const found = i < levels.length && levels[i].px === level.px;
    if (level.sz === 0) {
      if (found) levels.splice(i, 1);
    } else if (found) {
      levels[i] = level;
    } else {
      levels.splice(i, 0, level);
    }
  }

  truncate(): void {
    if (this.bids.length > this.depth) this.bids.length = this.depth;
    if (this.asks.length > this.depth) this.asks.length = this.depth;
  }

  checksum(): number {
    return krakenBookChecksum(this.asks, this.bids);
  }

  /** First index whose price is not better than `px` (binary search; sides hold up to 1,000 levels). */
  private search(levels: readonly BookLevel[], px: number, descending: boolean): number {
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const better = descending ? levels[mid].px > px : levels[mid].px < px;
      if (better) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
