import type { Book } from '../market/book';
import type { Kline } from '../market/kline';
import type { Trade } from '../market/symbol-market';
import { PayloadDecimals } from './decimal';

/**
 * What Binance spot and USD-M payloads share: the kline stream's payload and the REST kline row have one layout on
 * both markets, only the decimals differ (spot prints 8 places, futures the contract's own precision). Each market
 * formats its trade, depth and bookTicker payloads itself. Built by concatenation, as JSON.stringify of an object
 * costs several times more.
 */
export abstract class BinancePayloads extends PayloadDecimals {
  abstract trade(t: Trade): string;
  /** Partial depth of the top `levels`. */
  abstract depth(book: Book, levels: number): string;
  abstract bookTicker(book: Book): string;

  kline(k: Kline, interval: string, eventTime: number, closed: boolean): string {
    return (
      `{"e":"kline","E":${eventTime},"s":"${this.symbol}","k":{"t":${k.openTime},"T":${k.closeTime},"s":"${this.symbol}",` +
      `"i":"${interval}",` +
      `"f":${k.firstTradeId},"L":${k.lastTradeId},"o":"${this.price(k.open)}","c":"${this.price(k.close)}","h":"${this.price(k.high)}",` +
      `"l":"${this.price(k.low)}","v":"${this.qty(k.volume)}","n":${k.tradeCount},"x":${closed},"q":"${this.quoteQty(k.quoteVolume)}",` +
      `"V":"${this.qty(k.takerBuyVolume)}","Q":"${this.quoteQty(k.takerBuyQuoteVolume)}","B":"0"}}`
    );
  }

  /** One row of `/api/v3/klines` or `/fapi/v1/klines`. */
  restKline(k: Kline): string {
    return (
      `[${k.openTime},"${this.price(k.open)}","${this.price(k.high)}","${this.price(k.low)}","${this.price(k.close)}",` +
      `"${this.qty(k.volume)}",` +
      `${k.closeTime},"${this.quoteQty(k.quoteVolume)}",${k.tradeCount},"${this.qty(k.takerBuyVolume)}",` +
      `"${this.quoteQty(k.takerBuyQuoteVolume)}","0"]`
    );
  }

  /** Depth levels as `["price","size"]` pairs, bids and asks. */
  protected levels(book: Book, levels: number): { bids: string; asks: string } {
    let bids = '';
    let asks = '';
    for (let i = 0; i < levels; i++) {
      const sep = i === 0 ? '' : ',';
      bids += `${sep}["${this.price(book.bidPx[i])}","${this.qty(book.bidSz[i])}"]`;
      asks += `${sep}["${this.price(book.askPx[i])}","${this.qty(book.askSz[i])}"]`;
    }
    return { bids, asks };
  }
}
