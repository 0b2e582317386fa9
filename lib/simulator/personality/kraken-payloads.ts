import { krakenBookChecksum, type BookLevelText } from '../../exchanges/kraken/book-checksum';
import type { Book } from '../market/book';
import type { Kline } from '../market/kline';
import type { SymbolMarket, Trade } from '../market/symbol-market';

/**
 * Kraken WebSocket v2 payloads for one symbol. Decimals are JSON numbers printed with the instrument's tick and
 * lot decimals, so the text a client checksums is well-defined; times are RFC 3339 with microseconds.
 */

const ZEROS = '000000000';

/** An integer count of 10^-scale units as plain decimal text with exactly `scale` places (6000010 at 2 → 60000.10). */
export function formatFixed(units: number, scale: number): string {
  let digits = String(units);
  if (scale === 0) return digits;
  if (digits.length <= scale) digits = ZEROS.slice(0, scale + 1 - digits.length) + digits;
  const point = digits.length - scale;
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** `2024-01-01T00:00:00.123000Z` (Kraken prints microseconds). */
export const rfc3339Micros = (ms: number): string => `${new Date(ms).toISOString().slice(0, -1)}000Z`;
/** `2024-01-01T00:05:00.000000000Z`, as Kraken prints interval_begin. */
const rfc3339Nanos = (ms: number): string => `${new Date(ms).toISOString().slice(0, -1)}000000Z`;

interface TextLevel extends BookLevelText {
  ticks: number;
}

/** One book side as the client holds it: best first, with the text it was sent as. */
type Side = TextLevel[];

export class KrakenPayloads {
  private readonly pd: number;
  private readonly qd: number;

  constructor(
    market: SymbolMarket,
    readonly symbol: string,
  ) {
    this.pd = market.spec.priceDecimals;
    this.qd = market.spec.qtyDecimals;
  }

  price(ticks: number): string {
    return formatFixed(ticks, this.pd);
  }

  qty(steps: number): string {
    return formatFixed(steps, this.qd);
  }

  /** `side` is the taker's: a trade where the buyer made the market was a taker sell. */
  trade(t: Trade): string {
    return (
      `{"channel":"trade","type":"update","data":[{"symbol":"${this.symbol}","side":"${t.buyerMaker ? 'sell' : 'buy'}",` +
      `"price":${this.price(t.price)},` +
      `"qty":${this.qty(t.qty)},"ord_type":"market","trade_id":${t.id},"timestamp":"${rfc3339Micros(t.time)}"}]}`
    );
  }

  /** vwap rounded to the tick, as Kraken prints it at the pair's price precision. */
  ohlc(k: Kline, minutes: number, eventTime: number): string {
    const vwap = k.volume > 0 ? Math.round(k.quoteVolume / k.volume) : k.close;
    return (
      `{"channel":"ohlc","type":"update","timestamp":"${rfc3339Micros(eventTime)}","data":[{"symbol":"${this.symbol}",` +
      `"open":${this.price(k.open)},` +
      `"high":${this.price(k.high)},"low":${this.price(k.low)},"close":${this.price(k.close)},"trades":${k.tradeCount},` +
      `"volume":${this.qty(k.volume)},` +
      `"vwap":${this.price(vwap)},"interval_begin":"${rfc3339Nanos(k.openTime)}","interval":${minutes},` +
      `"timestamp":"${rfc3339Nanos(k.closeTime + 1)}"}]}`
    );
  }

  sides(book: Book): { bids: Side; asks: Side } {
    const bids: Side = [];
    const asks: Side = [];
    for (let i = 0; i < book.bidPx.length; i++)
      bids.push({ ticks: book.bidPx[i], price: this.price(book.bidPx[i]), qty: this.qty(book.bidSz[i]) });
    for (let i = 0; i < book.askPx.length; i++)
      asks.push({ ticks: book.askPx[i], price: this.price(book.askPx[i]), qty: this.qty(book.askSz[i]) });
    return { bids, asks };
  }

  /** The whole book; v2 snapshots carry a checksum but no timestamp. */
  bookSnapshot(bids: Side, asks: Side): string {
    return (
      `{"channel":"book","type":"snapshot","data":[{"symbol":"${this.symbol}","bids":${levels(bids)},"asks":${levels(asks)},` +
      `"checksum":${krakenBookChecksum(asks, bids)}}]}`
    );
  }

  /**
   * The changes from `prev` to `cur`: removed levels with qty 0, then new or resized ones. Null when nothing
   * changed (Kraken sends no empty update).
   */
  bookUpdate(prev: { bids: Side; asks: Side }, cur: { bids: Side; asks: Side }, time: number): string | null {
    const bids = diff(prev.bids, cur.bids);
    const asks = diff(prev.asks, cur.asks);
    if (bids.length === 0 && asks.length === 0) return null;
    return (
      `{"channel":"book","type":"update","data":[{"symbol":"${this.symbol}","bids":${levels(bids)},"asks":${levels(asks)},` +
      `"checksum":${krakenBookChecksum(cur.asks, cur.bids)},"timestamp":"${rfc3339Micros(time)}"}]}`
    );
  }
}

const levels = (side: readonly BookLevelText[]): string =>
  `[${side.map((l) => `{"price":${l.price},"qty":${l.qty}}`).join(',')}]`;

function diff(prev: Side, cur: Side): BookLevelText[] {
  const now = new Map(cur.map((l) => [l.ticks, l]));
  const before = new Map(prev.map((l) => [l.ticks, l]));
  const out: BookLevelText[] = [];
  for (const l of prev) if (!now.has(l.ticks)) out.push({ price: l.price, qty: '0' });
  for (const l of cur) if (before.get(l.ticks)?.qty !== l.qty) out.push(l);
  return out;
}
