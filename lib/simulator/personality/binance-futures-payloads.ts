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
    return (
      `{"e":"trade","E":${t.time},"T":${t.time},"s":"${this.symbol}","t":${t.id},"p":"${this.price(t.price)}",` +
      `"q":"${this.qty(t.qty)}","X":"MARKET","m":${t.buyerMaker}}`
    );
  }

  /** Partial depth: futures sends it as a `depthUpdate` with ids; `pu` is the previous push's `u`. */
  depth(book: Book, levels: number): string {
    const { bids, asks } = this.levels(book, levels);
    const previous = this.previousUpdateId(book);
    return (
      `{"e":"depthUpdate","E":${book.time},"T":${book.time},"s":"${this.symbol}","U":${previous + 1},` +
      `"u":${book.updateId},"pu":${previous},"b":[${bids}],"a":[${asks}]}`
    );
  }

  bookTicker(book: Book): string {
    return (
      `{"e":"bookTicker","u":${book.updateId},"s":"${this.symbol}","b":"${this.price(book.bidPx[0])}","B":"${this.qty(book.bidSz[0])}",` +
      `"a":"${this.price(book.askPx[0])}","A":"${this.qty(book.askSz[0])}","T":${book.time},"E":${book.time}}`
    );
  }

  /** `P` (estimated settle price) is only meaningful in the last hour before settlement; the index stands in. */
  markPrice(m: MarkPrice, time: number): string {
    const index = fixed(m.index, m.scale, 8);
    return (
      `{"e":"markPriceUpdate","E":${time},"s":"${this.symbol}","p":"${fixed(m.mark, m.scale, 8)}","i":"${index}","P":"${index}",` +
      `"r":"${fixed(m.rate, 8)}","T":${m.nextFundingTime}}`
    );
  }

  forceOrder(l: Liquidation): string {
    const q = this.qty(l.qty);
    return (
      `{"e":"forceOrder","E":${l.time},"o":{"s":"${this.symbol}","S":"${l.side}","o":"LIMIT","f":"IOC","q":"${q}",` +
      `"p":"${this.price(l.price)}",` +
      `"ap":"${this.price(l.avgPrice)}","X":"FILLED","l":"${q}","z":"${q}","T":${l.time}}}`
    );
  }

  /**
   * Update id of the book one tick before `b`: remembered when depth is pushed tick after tick (and for a second
   * depth stream of the same tick), else rebuilt from the model, which gives the same book.
   */
  private previousUpdateId(book: Book): number {
    const last = this.last;
    if (last && last.time === book.time) return last.previous;
    const previous = last && last.time === book.time - TICK_MS ? last.updateId : this.market.bookAt(book.time - TICK_MS).updateId;
    this.last = { time: book.time, updateId: book.updateId, previous };
    return previous;
  }
}
