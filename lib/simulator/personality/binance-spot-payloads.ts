import type { Book } from '../market/book';
import type { Kline } from '../market/kline';
import type { SymbolMarket, Trade } from '../market/symbol-market';
import { formatUnits, PayloadDecimals } from './decimal';

/**
 * Binance spot payloads, byte for byte in the shape of the recorded captures (same keys, order and types; decimals
 * as 8-place strings). Built by concatenation: JSON.stringify of an object costs several times more.
 */

export class BinanceSpotPayloads extends PayloadDecimals {
  constructor(market: SymbolMarket) {
    super(market, formatUnits);
  }

  /** Trade stream; the event time equals the trade time. */
  trade(t: Trade): string {
    return `{"e":"trade","E":${t.time},"s":"${this.symbol}","t":${t.id},"p":"${this.price(t.price)}","q":"${this.qty(t.qty)}","T":${t.time},"m":${t.buyerMaker},"M":true}`;
  }

  kline(k: Kline, interval: string, eventTime: number, closed: boolean): string {
    return `{"e":"kline","E":${eventTime},"s":"${this.symbol}","k":{"t":${k.openTime},"T":${k.closeTime},"s":"${this.symbol}","i":"${interval}",`
      + `"f":${k.firstTradeId},"L":${k.lastTradeId},"o":"${this.price(k.open)}","c":"${this.price(k.close)}","h":"${this.price(k.high)}",`
      + `"l":"${this.price(k.low)}","v":"${this.qty(k.volume)}","n":${k.tradeCount},"x":${closed},"q":"${this.quoteQty(k.quoteVolume)}",`
      + `"V":"${this.qty(k.takerBuyVolume)}","Q":"${this.quoteQty(k.takerBuyQuoteVolume)}","B":"0"}}`;
  }

  /** Partial depth (`depth5`/`depth10`): no symbol, no event time, as on Binance. */
  depth(b: Book, levels: number): string {
    let bids = '';
    let asks = '';
    for (let i = 0; i < levels; i++) {
      const sep = i === 0 ? '' : ',';
      bids += `${sep}["${this.price(b.bidPx[i])}","${this.qty(b.bidSz[i])}"]`;
      asks += `${sep}["${this.price(b.askPx[i])}","${this.qty(b.askSz[i])}"]`;
    }
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

  /** One row of `/api/v3/klines`. */
  restKline(k: Kline): string {
    return `[${k.openTime},"${this.price(k.open)}","${this.price(k.high)}","${this.price(k.low)}","${this.price(k.close)}","${this.qty(k.volume)}",`
      + `${k.closeTime},"${this.quoteQty(k.quoteVolume)}",${k.tradeCount},"${this.qty(k.takerBuyVolume)}","${this.quoteQty(k.takerBuyQuoteVolume)}","0"]`;
  }
}
