import type { Book } from '../market/book';
import type { MarketModel } from '../market/market-model';
import { hashString, keyHash } from '../market/rng';
import type { SymbolMarket, Trade } from '../market/symbol-market';
import { HOUR_MS, MINUTE_MS } from '../../util/time';

/**
 * What a perpetual adds to the spot market model: mark and index price, funding, liquidations and open interest.
 * Each is a pure function of (seed, symbol, time or trade), so any second can be produced on its own and two
 * simulators with one seed agree byte for byte, whoever subscribed first.
 */

export const FUNDING_INTERVAL_MS = 8 * 3_600_000;
const DAY_MINUTES = 1440;
const TWO_32 = 4294967296;

const SALT = { basis: 0x42415349, liquidation: 0x4c495144, openInterest: 0x4f50494e } as const;

/** Binance's interest-rate component: 0.01% per 8 h; the premium's pull on the rate is clamped to ±0.05%. */
const INTEREST_RATE = 0.0001;
const PREMIUM_CLAMP = 0.0005;
/**
 * Hourly basis of mark over index within ±0.15%, with ±0.03% of per-minute noise: wide enough that in most hours
 * the premium escapes the clamp and the rate leaves its 0.01% floor, as in a trending market.
 */
const HOURLY_BASIS = 0.0015;
const MINUTE_BASIS = 0.0003;
/** Share of trades that are liquidation fills; Binance then reports at most one per symbol per second. */
export const LIQUIDATION_SHARE = 0.02;
/** A liquidation order's limit price sits this far beyond its fill, as a bankruptcy price does. */
const LIQUIDATION_PRICE_GAP = 0.005;
/** Open interest ≈ this many minutes of mean traded volume, swinging ±25% over a day and ±2.5% minute to minute. */
const OPEN_INTEREST_MINUTES = 1440;
const OPEN_INTEREST_DAILY_SWING = 0.25;
const OPEN_INTEREST_NOISE = 0.05;

/** Prices at `scale` decimals (one more than the tick, so a mid between two ticks is exact). */
export interface MarkPrice {
  scale: number;
  mark: number;
  index: number;
  /** Funding rate in units of 1e-8. */
  rate: number;
  nextFundingTime: number;
}

export interface Liquidation {
  side: 'BUY' | 'SELL';
  /** Limit price in ticks. */
  price: number;
  /** Fill price in ticks. */
  avgPrice: number;
  /** Lot steps, all filled. */
  qty: number;
  time: number;
}

const unit = (h: number) => h / TWO_32;

export class PerpetualDerivatives {
  private readonly keys = new Map<string, number>();

  constructor(private readonly model: MarketModel) {
    for (const s of model.symbols) this.keys.set(s, keyHash(hashString(s), 0x50455250, model.seed));
  }

  /** Mark price = book mid; index = mark less a basis; funding = premium + clamp(interest − premium). */
  markPrice(symbol: string, book: Book, time: number): MarkPrice {
    const { priceDecimals } = this.model.market(symbol).spec;
    const key = this.key(symbol);
    const sumTicks = book.bidPx[0] + book.askPx[0];
    // A mid between two ticks needs one more decimal; Binance prints 8, so at 8 tick decimals round to the tick.
    const scale = Math.min(priceDecimals + 1, 8);
    const mark = scale > priceDecimals ? sumTicks * 5 : Math.round(sumTicks / 2);
    const minute = Math.floor(time / MINUTE_MS);
    const basis =
      HOURLY_BASIS * (2 * unit(keyHash(key, SALT.basis, Math.floor(time / HOUR_MS))) - 1) +
      MINUTE_BASIS * (2 * unit(keyHash(key, SALT.basis ^ 1, minute)) - 1);
    const index = Math.max(1, Math.round(mark / (1 + basis)));
    const premium = (mark - index) / index;
    const rate = premium + Math.min(PREMIUM_CLAMP, Math.max(-PREMIUM_CLAMP, INTEREST_RATE - premium));
    return {
      scale,
      mark,
      index,
      rate: Math.round(rate * 1e8),
      nextFundingTime: (Math.floor(time / FUNDING_INTERVAL_MS) + 1) * FUNDING_INTERVAL_MS,
    };
  }

  /**
   * The liquidation `trade` was, if any: a trade is a liquidation fill with probability LIQUIDATION_SHARE, and
   * only the first such fill of its second is reported, as Binance's per-second throttle would.
   */
  liquidation(symbol: string, trade: Trade): Liquidation | null {
    const key = this.key(symbol);
    if (!this.isLiquidationFill(key, trade.id)) return null;
    const market = this.model.market(symbol);
    const second = trade.time - (trade.time % 1000);
    if (this.earlierFillInSecond(market, key, trade, second)) return null;
    const h = keyHash(key, SALT.liquidation ^ 1, trade.id);
    const side = trade.buyerMaker ? 'SELL' : 'BUY';
    const gap = Math.max(1, Math.round(trade.price * LIQUIDATION_PRICE_GAP));
    return {
      side,
      avgPrice: trade.price,
      price: side === 'SELL' ? Math.max(1, trade.price - gap) : trade.price + gap,
      qty: trade.qty * (1 + (h % 4)),
      time: trade.time,
    };
  }

  /** Open interest in lot steps at `time` (constant within a minute). */
  openInterest(symbol: string, time: number): number {
    const market = this.model.market(symbol);
    const { spec } = market;
    const minute = Math.floor(time / MINUTE_MS);
    const mean = spec.meanTradeQty * spec.tradesPerMinute * OPEN_INTEREST_MINUTES * market.qtyScale;
    const phase = 2 * Math.PI * unit(this.key(symbol));
    const daily = Math.sin(phase + (2 * Math.PI * minute) / DAY_MINUTES);
    const noise = unit(keyHash(this.key(symbol), SALT.openInterest, minute)) - 0.5;
    return Math.max(1, Math.round(mean * (1 + OPEN_INTEREST_DAILY_SWING * daily + OPEN_INTEREST_NOISE * noise)));
  }

  private isLiquidationFill(key: number, tradeId: number): boolean {
    return unit(keyHash(key, SALT.liquidation, tradeId)) < LIQUIDATION_SHARE;
  }

  private earlierFillInSecond(market: SymbolMarket, key: number, trade: Trade, second: number): boolean {
    const mt = market.minuteTrades(Math.floor(trade.time / MINUTE_MS));
    for (let i = trade.id - mt.firstId - 1; i >= 0 && mt.time[i] >= second; i--) {
      if (this.isLiquidationFill(key, mt.firstId + i)) return true;
    }
    return false;
  }

  private key(symbol: string): number {
    const k = this.keys.get(symbol);
    if (k === undefined) throw new Error(`symbol ${symbol} is not simulated`);
    return k;
  }
}
