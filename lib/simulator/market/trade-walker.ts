import type { LastTrade } from './book';
import { MINUTE_MS } from '../../util/time';
import type { MinuteTrades, SymbolMarket } from './symbol-market';

/**
 * Walks one symbol's trades forward in time and keeps the last trade seen, which anchors the book. Streaming
 * and the offline generators use it instead of random access, which would search back for every tick.
 */
export class TradeWalker {
  private mt: MinuteTrades | null = null;
  private i = 0;
  /** Trades before this time have been visited. */
  private pos = NaN;
  private lastTrade: LastTrade = { id: 0, price: 0, buyerMaker: true };

  constructor(private readonly market: SymbolMarket) {}

  /** Last trade before the walk's position. */
  get last(): LastTrade {
    return this.lastTrade;
  }

  /** Visit the trades with from ≤ time < to; a walk that does not continue the previous one seeks first. */
  walk(from: number, to: number, visit?: (mt: MinuteTrades, i: number) => void): void {
    if (from !== this.pos || !this.mt) this.seek(from);
    let mt = this.mt as MinuteTrades;
    const last = this.lastTrade;
    for (;;) {
      while (this.i < mt.count && mt.time[this.i] < to) {
        visit?.(mt, this.i);
        last.id = mt.firstId + this.i;
        last.price = mt.price[this.i];
        last.buyerMaker = mt.buyerMaker[this.i] === 1;
        this.i++;
      }
      if (this.i < mt.count || (mt.minute + 1) * MINUTE_MS >= to) break;
      mt = this.mt = this.market.minuteTrades(mt.minute + 1);
      this.i = 0;
    }
    this.pos = to;
  }

  private seek(t: number): void {
    const mt = this.market.minuteTrades(Math.floor(t / MINUTE_MS));
    let i = 0;
    while (i < mt.count && mt.time[i] < t) i++;
    this.mt = mt;
    this.i = i;
    this.lastTrade = this.market.lastTradeBefore(t);
  }
}
