import type { Book } from '../market/book';
import type { Kline } from '../market/kline';
import type { SymbolMarket, Trade } from '../market/symbol-market';
import type { Liquidation, MarkPrice } from './binance-futures-derivatives';
import { fixed, PayloadDecimals } from './decimal';

/**
 * Binance USD-M payloads in the key order of the recorded captures and the docs. Unlike spot, futures prints
 * prices and quantities at the contract's own precision ("61800.20", "0.006"); mark, index and funding use 8
 * places. Built by concatenation, as JSON.stringify of an object costs several times more.
 */


export class BinanceFuturesPayloads extends PayloadDecimals {
  constructor(market: SymbolMarket) {
    super(market, (units, scale) => fixed(units, scale));
  }

  /** Every simulated trade is an order-book match, hence `"X":"MARKET"`. */
  trade(t: Trade): string {
    return `{"e":"trade","E":${t.time},"T":${t.time},"s":"${this.symbol}","t":${t.id},"p":"${this.price(t.price)}","q":"${this.qty(t.qty)}","X":"MARKET","m":${t.buyerMaker}}`;
  }

  kline(k: Kline, interval: string, eventTime: number, closed: boolean): string {
    return `{"e":"kline","E":${eventTime},"s":"${this.symbol}","k":{"t":${k.openTime},"T":${k.closeTime},"s":"${this.symbol}","i":"${interval}",`
      + `"f":${k.firstTradeId},"L":${k.lastTradeId},"o":"${this.price(k.open)}","c":"${this.price(k.close)}","h":"${this.price(k.high)}",`
      + `"l":"${this.price(k.low)}","v":"${this.qty(k.volume)}","n":${k.tradeCount},"x":${closed},"q":"${this.quoteQty(k.quoteVolume)}",`
      + `"V":"${this.qty(k.takerBuyVolume)}","Q":"${this.quoteQty(k.takerBuyQuoteVolume)}","B":"0"}}`;
  }

  /** Partial depth: futures sends it as a `depthUpdate` with ids; `pu` is the previous push's `u`. */
  depth(b: Book, levels: number, prevUpdateId: number): string {
    let bids = '';
    let asks = '';
    for (let i = 0; i < levels; i++) {
      const sep = i === 0 ? '' : ',';
      bids += `${sep}["${this.price(b.bidPx[i])}","${this.qty(b.bidSz[i])}"]`;
      asks += `${sep}["${this.price(b.askPx[i])}","${this.qty(b.askSz[i])}"]`;
    }
    return `{"e":"depthUpdate","E":${b.time},"T":${b.time},"s":"${this.symbol}","U":${prevUpdateId + 1},"u":${b.updateId},"pu":${prevUpdateId},"b":[${bids}],"a":[${asks}]}`;
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

  /** One row of `/fapi/v1/klines`. */
  restKline(k: Kline): string {
    return `[${k.openTime},"${this.price(k.open)}","${this.price(k.high)}","${this.price(k.low)}","${this.price(k.close)}","${this.qty(k.volume)}",`
      + `${k.closeTime},"${this.quoteQty(k.quoteVolume)}",${k.tradeCount},"${this.qty(k.takerBuyVolume)}","${this.quoteQty(k.takerBuyQuoteVolume)}","0"]`;
  }
}
