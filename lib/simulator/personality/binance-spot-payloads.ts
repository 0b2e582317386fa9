import type { Book } from '../market/book';
import type { SymbolMarket, Trade } from '../market/symbol-market';
import { BinancePayloads } from './binance-payloads';
import { formatUnits } from './decimal';

/**
 * Binance spot payloads, byte for byte in the shape of the recorded captures (same keys, order and types; decimals
 * as 8-place strings). Built by concatenation: JSON.stringify of an object costs several times more.
 */

export class BinanceSpotPayloads extends BinancePayloads {
  constructor(market: SymbolMarket) {
    super(market, formatUnits);
  }

  /** Trade stream; the event time equals the trade time. */
  trade(t: Trade): string {
    return (
      `{"e":"trade","E":${t.time},"s":"${this.symbol}","t":${t.id},"p":"${this.price(t.price)}","q":"${this.qty(t.qty)}",` +
      `"T":${t.time},"m":${t.buyerMaker},"M":true}`
    );
  }

  /** Partial depth (`depth5`/`depth10`): no symbol, no event time, as on Binance. */
  depth(book: Book, levels: number): string {
    const { bids, asks } = this.levels(book, levels);
    return `{"lastUpdateId":${book.updateId},"bids":[${bids}],"asks":[${asks}]}`;
  }

  /** Spot bookTicker carries no event time. */
  bookTicker(book: Book): string {
    return (
      `{"u":${book.updateId},"s":"${this.symbol}","b":"${this.price(book.bidPx[0])}","B":"${this.qty(book.bidSz[0])}",` +
      `"a":"${this.price(book.askPx[0])}","A":"${this.qty(book.askSz[0])}"}`
    );
  }

  /** One entry of `/api/v3/historicalTrades`. */
  restTrade(trade: Trade): string {
    return (
      `{"id":${trade.id},"price":"${this.price(trade.price)}","qty":"${this.qty(trade.qty)}",` +
      `"quoteQty":"${this.quoteQty(trade.price * trade.qty)}","time":${trade.time},"isBuyerMaker":${trade.buyerMaker},"isBestMatch":true}`
    );
  }
}
