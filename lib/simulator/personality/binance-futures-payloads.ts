import { TICK_MS, type Book } from '../market/book';
import type { SymbolMarket, Trade } from '../market/symbol-market';
import type { Liquidation, MarkPrice } from './binance-futures-derivatives';
import { BinancePayloads } from './binance-payloads';
import { fixed } from './decimal';

/**
 * Binance USD-M payloads in the key order of the recorded captures and the docs. Unlike spot, futures prints
 * prices and quantities at the contract's own precision ("61800.20", "0.006"); mark, index and funding use 8
 * places.
 */

export class BinanceFuturesPayloads extends BinancePayloads {
  /** The last book a depth push was formatted for, and the update id before it. */
  private last: { time: number; updateId: number; previous: number } | null = null;

  constructor(private readonly market: SymbolMarket) {
    super(market, (units, scale) => fixed(units, scale));
  }

  /** Every simulated trade is an order-book match, hence `"X":"MARKET"`. */
  trade(t: Trade): string {
    return `{"e":"trade","E":${t.time},"T":${t.time},"s":"${this.symbol}","t":${t.id},"p":"${this.price(t.price)}","q":"${this.qty(t.qty)}","X":"MARKET","m":${t.buyerMaker}}`;
  }

  /** Partial depth: futures sends it as a `depthUpdate` with ids; `pu` is the previous push's `u`. */
  depth(b: Book, levels: number): string {
    const { bids, asks } = this.levels(b, levels);
    const previous = this.previousUpdateId(b);
    return `{"e":"depthUpdate","E":${b.time},"T":${b.time},"s":"${this.symbol}","U":${previous + 1},"u":${b.updateId},"pu":${previous},"b":[${bids}],"a":[${asks}]}`;
  }

  bookTicker(b: Book): string {
    return `{"e":"bookTicker","u":${b.updateId},"s":"${this.symbol}","b":"${this.price(b.bidPx[0])}","B":"${this.qty(b.bidSz[0])}",`
      + `"a":"${this.price(b.askPx[0])}","A":"${this.qty(b.askSz[0])}","T":${b.time},"E":${b.time}}`;
  }

  /** `P` (estimated settle price) is only meaningful in the last hour before settlement; the index stands in. */
  markPrice(m: MarkPrice, time: number): string {
    const index = fixed(m.index, m.scale, 8);
    return `{"e":"markPriceUpdate","E":${time},"s":"${this.symbol}","p":"${fixed(m.mark, m.scale, 8)}","i":"${index}","P":"${index}",`
      + `"r":"${fixed(m.rate, 8)}","T":${m.nextFundingTime}}`;
  }

  forceOrder(l: Liquidation): string {
    const q = this.qty(l.qty);
    return `{"e":"forceOrder","E":${l.time},"o":{"s":"${this.symbol}","S":"${l.side}","o":"LIMIT","f":"IOC","q":"${q}","p":"${this.price(l.price)}",`
      + `"ap":"${this.price(l.avgPrice)}","X":"FILLED","l":"${q}","z":"${q}","T":${l.time}}}`;
  }

  /**
   * Update id of the book one tick before `b`: remembered when depth is pushed tick after tick (and for a second
   * depth stream of the same tick), else rebuilt from the model, which gives the same book.
   */
  private previousUpdateId(b: Book): number {
    const last = this.last;
    if (last && last.time === b.time) return last.previous;
    const previous = last && last.time === b.time - TICK_MS ? last.updateId : this.market.bookAt(b.time - TICK_MS).updateId;
    this.last = { time: b.time, updateId: b.updateId, previous };
    return previous;
  }
}
