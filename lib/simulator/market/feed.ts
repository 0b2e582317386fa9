import { TICK_MS, type Book } from './book';
import { intervalMs, type Kline } from './kline';
import type { MarketModel } from './market-model';
import type { MinuteTrades, Trade } from './symbol-market';
import { TradeWalker } from './trade-walker';

/**
 * The market as a time-ordered event stream, protocol-agnostic: trades as they happen, a top-10 book every
 * 100 ms, and kline updates every 2 s with a final closed kline at each interval boundary. Events stamped `t`
 * reflect everything strictly before `t`; the feed only generates what some client demands.
 */

export type MarketEvent =
  | { type: 'trade'; symbol: string; time: number; trade: Trade }
  | { type: 'kline'; symbol: string; time: number; interval: string; kline: Kline; closed: boolean }
  | { type: 'book'; symbol: string; time: number; book: Book };

export interface SymbolDemand {
  trades: boolean;
  book: boolean;
  /** Kline intervals (`1m`, `5m`, ...). */
  klines: ReadonlySet<string>;
}

export type Demand = ReadonlyMap<string, SymbolDemand>;

/** Binance pushes open-kline updates every 2 s. */
export const KLINE_UPDATE_MS = 2000;

export class MarketFeed {
  private cursorMs: number;
  private readonly walkers = new Map<string, TradeWalker>();
  private readonly pending: MarketEvent[] = [];

  constructor(
    private readonly model: MarketModel,
    startMs: number,
  ) {
    this.cursorMs = Math.ceil(startMs / TICK_MS) * TICK_MS;
  }

  /** Time of the last tick emitted: every event up to it has been delivered. */
  get cursor(): number {
    return this.cursorMs;
  }

  /** Emit the events of every tick after the cursor up to `toMs`, for the demanded symbols and streams. */
  advance(toMs: number, demand: Demand, emit: (event: MarketEvent) => void): void {
    const last = Math.floor(toMs / TICK_MS) * TICK_MS;
    if (demand.size > 0) for (let tick = this.cursorMs + TICK_MS; tick <= last; tick += TICK_MS) this.tick(tick, demand, emit);
    if (last > this.cursorMs) this.cursorMs = last;
  }

  private tick(tick: number, demand: Demand, emit: (event: MarketEvent) => void): void {
    const trades = this.pending;
    for (const [symbol, d] of demand) {
      const visit = d.trades
        ? (mt: MinuteTrades, i: number) =>
            trades.push({
              type: 'trade',
              symbol,
              time: mt.time[i],
              trade: {
                id: mt.firstId + i,
                time: mt.time[i],
                price: mt.price[i],
                qty: mt.qty[i],
                buyerMaker: mt.buyerMaker[i] === 1,
              },
            })
        : undefined;
      this.walker(symbol).walk(tick - TICK_MS, tick, visit);
    }
    // Interleave symbols by trade time; the stable sort keeps each symbol's own order.
    if (trades.length > 1 && demand.size > 1) trades.sort((a, b) => a.time - b.time);
    for (const e of trades) emit(e);
    trades.length = 0;

    for (const [symbol, d] of demand) {
      const market = this.model.market(symbol);
      if (d.klines.size > 0 && tick % KLINE_UPDATE_MS === 0) {
        for (const interval of d.klines) {
          const len = intervalMs(interval);
          if (len === undefined) continue;
          const closed = tick % len === 0;
          const openTime = closed ? tick - len : tick - (tick % len);
          emit({ type: 'kline', symbol, time: tick, interval, kline: market.kline(len, openTime, tick), closed });
        }
      }
      if (d.book) emit({ type: 'book', symbol, time: tick, book: market.bookWith(tick, this.walker(symbol).last) });
    }
  }

  private walker(symbol: string): TradeWalker {
    let w = this.walkers.get(symbol);
    if (!w) {
      w = new TradeWalker(this.model.market(symbol));
      this.walkers.set(symbol, w);
    }
    return w;
  }
}
