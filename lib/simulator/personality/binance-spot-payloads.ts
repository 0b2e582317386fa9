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
    return `{"e":"trade","E":${t.time},"s":"${this.symbol}","t":${t.id},"p":"${this.price(t.price)}","q":"${this.qty(t.qty)}","T":${t.time},"m":${t.buyerMaker},"M":true}`;
  }

  /** Partial depth (`depth5`/`depth10`): no symbol, no event time, as on Binance. */
  depth(b: Book, levels: number): string {
    const { bids, asks } = this.levels(b, levels);
    return `{"lastUpdateId":${b.updateId},"bids":[${bids}],"asks":[${asks}]}`;
  }

  /** Spot bookTicker carries no event time. */
  bookTicker(b: Book): string {
    return `{"u":${b.updateId},"s":"${this.symbol}","b":"${this.price(b.bidPx[0])}","B":"${this.qty(b.bidSz[0])}","a":"${this.price(b.askPx[0])}","A":"${this.qty(b.askSz[0])}"}`;
  }

  /** One entry of `/api/v3/historicalTrades`. */
  restTrade(t: Trade): string {
    return `{"id":${t.id},"price":"${this.price(t.price)}","qty":"${this.qty(t.qty)}","quoteQty":"${this.quoteQty(t.price * t.qty)}","time":${t.time},"isBuyerMaker":${t.buyerMaker},"isBestMatch":true}`;
  }
}
